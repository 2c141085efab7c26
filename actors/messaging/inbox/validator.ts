/** messaging inbox: `list` — only the user whose inbox it is (entity = their subject token) may read it. */
import { InboxCommands, subjectToken } from '../../../protocol/index.js';
import { BusinessError, commandValidator } from '../../runtime/index.js';

export const listValidator = commandValidator(InboxCommands.list, (_data, _state, ctx) => {
  if (ctx.entity !== subjectToken(ctx.user)) throw new BusinessError('FORBIDDEN', 'An inbox can be read only by its user (entity = your subject token).');
});
