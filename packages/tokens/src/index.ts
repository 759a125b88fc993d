export { parseSigningKeys, type SigningKey, type SigningKeyring } from './keys';
export {
  ANSWER_TOKEN_PATTERN,
  findAnswerTokens,
  maskAnswerTokens,
  mintAnswerToken,
  newAnswerRef,
  signedMessageId,
  verifyAnswerToken,
  type AnswerToken,
  type TokenAction,
} from './answer-token';
