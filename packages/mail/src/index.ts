export {
  buildAnswerMailto,
  buildAnswerTemplate,
  MARKER_LINE_PATTERN,
  TEMPLATE_LOCALES,
  templateLocale,
  type AnswerTemplateAction,
  type AnswerTemplateInput,
  type TemplateLocale,
} from './answer-template';
export { isAddressWhitelisted, normalizeAddress } from './whitelist';
export { type ParsedAddress } from './addresses';
export { parseInboundMessage, type ParsedMessage, type ParseResult } from './parse-message';
export {
  classifyAutomatic,
  OWN_HEADER_NAME,
  type AutomaticKind,
  type ClassifyOptions,
} from './classify';
export { findMessageTokens, type FoundTokens } from './find-tokens';
export {
  DEFAULT_ACTION_VOCABULARY,
  detectReplyAction,
  extendActionVocabulary,
  type ActionVocabulary,
  type ReplyAction,
} from './reply-action';
export { extractComment, MAX_COMMENT_LENGTH } from './comment';
export { htmlToReadableText } from './html-text';
export { understandAnswer, type UnderstandOptions, type UnderstoodAnswer } from './understand';
export {
  headerSection,
  screenHeaderSection,
  MAX_CONTINUATION_LINES,
  MAX_HEADER_BYTES,
} from './header-screen';
