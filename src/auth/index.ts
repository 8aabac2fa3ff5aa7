/** Authentication (JWT verification and signing) and authorisation rules (SPEC §1). */
export { ROLES, type Role, type Principal } from './claims.js';
export { AuthError, createVerifier, type AuthFailureReason, type Verify, type VerifierOptions } from './verify.js';
export { signToken, type SignOptions } from './sign.js';
export { parseDuration } from './duration.js';
export { asymmetricAlgorithm } from './keys.js';
export {
  authorizeTopic,
  canAdmin,
  canIngest,
  canReadHistory,
  canReadLive,
  canSeeAgent,
  canSeeQueue,
  visibleQueues,
  type TopicDecision,
} from './authorize.js';
