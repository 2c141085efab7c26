/** messaging: the room actor's commands — name → validator → controller — and the one system command it takes. */
import { AI_ANSWER_POST_COMMAND, SYSTEM_COMMAND_ORIGIN, type RoomCommandName } from '../../protocol/index.js';
import { defineRouter, route, type Route } from '../runtime/index.js';
import type { MessagingDeps } from './dependencies.js';
import { aiAnswerPostController, deleteController, editController, historyController, postController, reactController, unreactController } from './messageController.js';
import { heartbeatController, typingController } from './presenceController.js';
import {
  createController, directOpenController, getController, inviteController, joinController, leaveController, readController,
  removeController, roleController,
} from './roomController.js';
import type { RoomState } from './roomState.js';
import * as v from './validator.js';

/** Every command of protocol/messaging/commands.ts has a route (checked by the compiler). */
const routes = {
  create: route(v.createValidator, createController),
  'direct.open': route(v.directOpenValidator, directOpenController),
  invite: route(v.inviteValidator, inviteController),
  join: route(v.joinValidator, joinController),
  leave: route(v.leaveValidator, leaveController),
  remove: route(v.removeValidator, removeController),
  role: route(v.roleValidator, roleController),
  get: route(v.getValidator, getController),
  read: route(v.readValidator, readController),
  post: route(v.postValidator, postController),
  edit: route(v.editValidator, editController),
  delete: route(v.deleteValidator, deleteController),
  react: route(v.reactValidator, reactController),
  unreact: route(v.unreactValidator, unreactController),
  history: route(v.historyValidator, historyController),
  'presence.heartbeat': route(v.heartbeatValidator, heartbeatController),
  typing: route(v.typingValidator, typingController),
} satisfies Record<RoomCommandName, Route<RoomState, MessagingDeps>>;

export const roomRouter = defineRouter<RoomState, MessagingDeps>({
  ...routes,
  [AI_ANSWER_POST_COMMAND]: route(v.aiAnswerPostValidator, aiAnswerPostController, { origins: [SYSTEM_COMMAND_ORIGIN] }),
});
