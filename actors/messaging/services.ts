/** messaging: the services every worker runs beside the room actors (see actors/featureServices.ts). */
import type { FeatureServices } from '../featureServices.js';
import { AclInvalidationRelay } from './aclInvalidationRelay.js';
import { AiAnswerRelay } from './aiAnswerRelay.js';
import { CommittedRooms } from './committedRooms.js';
import { RoomAclResponder } from './roomAclResponder.js';

export const messagingServices: FeatureServices = ({ db, nc, config, logger }) => {
  const log = logger.child({ feature: 'messaging' });
  return [new RoomAclResponder(nc, new CommittedRooms(db), log), new AclInvalidationRelay(nc, log), new AiAnswerRelay(nc, config.partitions, log)];
};
