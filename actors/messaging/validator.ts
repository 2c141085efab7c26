/**
 * messaging: the room actor's validators — the schema of each command
 * (protocol/messaging/commands.ts, compiled once) and the rules that run
 * before the controller. Rules decide who may send what: the acting user
 * is ctx.user (from the gateway's headers), never anything in the data.
 */
import { AI_ANSWER_POST_SENDER, AiAnswerPost, DIRECT_ROOM_PREFIX, RoomCommands, type RoomCommandName } from '../../protocol/index.js';
import { BusinessError, commandValidator, type CommandRules, type CommandValidator } from '../runtime/index.js';
import type { RoomCommandData } from '../../protocol/index.js';
import { requireText } from './messageService.js';
import { requireMember } from './roomService.js';
import type { RoomState } from './roomState.js';

type RoomValidator<N extends RoomCommandName> = CommandValidator<RoomState, RoomCommandData<N>>;

function validator<N extends RoomCommandName>(name: N, rules?: CommandRules<RoomState, RoomCommandData<N>>): RoomValidator<N> {
  return commandValidator(RoomCommands[name], rules) as RoomValidator<N>;
}

const members = (_data: unknown, room: RoomState, ctx: { user: string }) => { requireMember(room, ctx.user); };

export const createValidator = validator('create', (_data, _room, ctx) => {
  if (ctx.entity.startsWith(DIRECT_ROOM_PREFIX)) {
    throw new BusinessError('VALIDATION', `Room ids starting with "${DIRECT_ROOM_PREFIX}" are direct rooms: open them with direct.open.`);
  }
});
export const directOpenValidator = validator('direct.open');
export const inviteValidator = validator('invite', members);
export const joinValidator = validator('join');
export const leaveValidator = validator('leave', members);
export const removeValidator = validator('remove', members);
export const roleValidator = validator('role', members);
export const getValidator = validator('get', members);
export const readValidator = validator('read', members);
export const postValidator = validator('post', (data, room, ctx) => {
  requireMember(room, ctx.user);
  requireText(data.text);
});
export const editValidator = validator('edit', members);
export const deleteValidator = validator('delete', members);
export const reactValidator = validator('react', members);
export const unreactValidator = validator('unreact', members);
export const historyValidator = validator('history', members);
export const heartbeatValidator = validator('presence.heartbeat', members);
export const typingValidator = validator('typing', members);

/** `ai.answer` (system command): only from the AI answer relay; the user who asked must still be a member. */
export const aiAnswerPostValidator = commandValidator(AiAnswerPost, (data, room: RoomState, ctx) => {
  if (ctx.user !== AI_ANSWER_POST_SENDER) throw new BusinessError('FORBIDDEN', `Command ${ctx.name} is accepted only from ${AI_ANSWER_POST_SENDER}.`);
  requireMember(room, data.user);
  requireText(data.text);
});
