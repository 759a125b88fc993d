export {
  buildAnswerMailto,
  buildAnswerTemplate,
  MARKER_LINE_PATTERN,
  templateLocale,
  type AnswerTemplateAction,
  type AnswerTemplateInput,
  type TemplateLocale,
} from './answer-template';
