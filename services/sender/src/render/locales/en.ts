import type { LocaleStrings } from '../strings';

/** The default locale; SPEC 3.3 fixes its button texts. */
const replyKeywords = { complete: 'approve', fail: 'reject' };
const DONE = { complete: 'completed', fail: 'failed' } as const;
const COULD_NOT_APPLY = 'Your email could not be applied.';

export const en: LocaleStrings = {
  request: {
    subjectPrefix: 'Action required',
    completeButton: 'Complete task',
    failButton: 'Fail task',
    greeting: (name) => `Hello ${name},`,
    intro: 'A task in a release pipeline is waiting for your decision.',
    task: 'Task',
    release: 'Release',
    description: 'Description',
    taskId: 'Task ID',
    expires: 'Answer by',
    explainButton: (label, explained) => `"${label}" ${explained}`,
    completeExplained: 'marks the task as completed.',
    failExplained: 'marks the task as failed.',
    howButtonsWork:
      'Both open a pre-filled email; add a comment above the marked line and send it.',
    clickIsNotEnough: 'Clicking does nothing by itself: only sending the email counts.',
    plainReply: `A plain reply to this email works too: start it with "${replyKeywords.complete}" or "${replyKeywords.fail}".`,
    replyKeywords,
    footer:
      'This message was sent automatically. Please do not change the token in the subject or body.',
  },
  notice: {
    greeting: 'Hello,',
    footer: 'This message was sent automatically by the remote completion service.',
    rejection: {
      subject: (request) =>
        request ? `Not applied: ${request.title}` : 'Your email was not processed',
      headline: (request) =>
        request
          ? `Your answer to "${request.title}" (task ${request.taskId}) was not applied.`
          : 'Your email was not applied.',
      explanations: {
        expired: ({ request }) =>
          `The request expired at ${request?.expiresAt ?? 'its expiry time'}, before your answer arrived. If the task still needs a decision, ask its owner for a new request.`,
        already_decided: ({ decision }) =>
          decision
            ? `The task had already been ${DONE[decision.action]} by ${decision.actor} at ${decision.decidedAt}. The first answer counts; later answers are not applied.`
            : 'The task had already been decided by an earlier answer. The first answer counts; later answers are not applied.',
        cancelled: ({ cancelledAt }) =>
          `The request was withdrawn${cancelledAt ? ` at ${cancelledAt}` : ''}: the task was done elsewhere or reassigned. If it was reassigned to you, answer the newest request email.`,
        sender_mismatch: () =>
          'The answer link you used was sent to another person. Only the person a request email was sent to can answer with its links; please use the buttons in your own request email.',
        bad_signature: () =>
          'The answer code in your email was changed or is no longer valid. Please use the Complete task or Fail task button in the request email again, without editing the code.',
        unknown_request: () => 'The request your email answers no longer exists.',
        no_token: () =>
          'Your email did not say which request it answers. Please use the Complete task or Fail task button in the request email, or reply to the request email itself.',
        no_action: () =>
          `We could not tell whether you want to complete or to fail the task. Please use the Complete task or Fail task button, or begin your reply with "${replyKeywords.complete}" or "${replyKeywords.fail}".`,
        ambiguous: () =>
          'Your email answers more than one request at once. Please answer each request separately.',
        auto_reply: () =>
          'Your email looked like an automatic reply (such as an out-of-office message), so it was not read as an answer.',
        bounce: () => 'Your email looked like a delivery report, so it was not read as an answer.',
        read_receipt: () => 'Your email was a read receipt, so it was not read as an answer.',
        calendar_reply: () =>
          'Your email was a calendar response (such as "Accepted"), so it was not read as an answer. Please use the Complete task or Fail task button in the request email.',
        auto_forward: () =>
          'Your email was forwarded by a mailbox rule, so it was not read as an answer. Please answer the request email yourself.',
        loop: () => COULD_NOT_APPLY,
        too_large: () =>
          'Your email was too large to be read. Please answer again without attachments.',
        malformed: () =>
          'Your email could not be read. Please use the Complete task or Fail task button in the request email again.',
        rate_limited: () =>
          'You sent more emails than the service reads in a short time. Please wait a while, then answer once.',
        // Which rule refused the sender stays unsaid: naming it helps whoever probes the rules.
        not_whitelisted: () => COULD_NOT_APPLY,
        dmarc_fail: () => COULD_NOT_APPLY,
        processing_failed: () =>
          'Your email could not be processed because of an error on our side. Please answer again later, or tell your release team.',
        self_approval: () =>
          'You asked for this approval yourself, and the request does not allow approving your own request. Another assignee has to answer.',
        revoked: () =>
          'The request was reassigned and you are no longer one of its assignees, so the answer links in your request email no longer work.',
        already_voted: ({ decision }) =>
          `You had already answered this request${decision ? ` ("${decision.action === 'complete' ? 'Complete task' : 'Fail task'}" at ${decision.decidedAt})` : ''}. Each person's first answer counts; later answers are not applied.`,
        reason_required: () =>
          'This request needs a reason for a Fail, and your answer had no comment. Please press Fail task again and write the reason above the marked line.',
      },
      nothingChanged: 'Nothing was changed in the release engine.',
      reasonCode: (reason) => `Reason code: ${reason}`,
      yourEmail: (messageId) => `Your email: ${messageId}`,
    },
    decided: {
      subject: ({ request }) => `Decided: ${request.title}`,
      // Follows "Hello," on the line above, hence the lower-case start.
      headline: ({ request, decision }) =>
        `the task "${request.title}" (task ${request.taskId}) was ${DONE[decision.action]} by ${decision.actor} at ${decision.decidedAt}.`,
      noAnswerNeeded:
        'Your answer is no longer needed: the answer links in your request email no longer work.',
    },
    confirmation: {
      subject: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `${action === 'complete' ? 'Completed' : 'Failed'}: ${request.title}`
          : `Recorded: ${request.title}`,
      // Follows "Hello," on the line above, hence the lower-case start.
      headline: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `your answer was applied: the task "${request.title}" (task ${request.taskId}) was marked ${DONE[action]} in the release engine.`
          : `your answer to "${request.title}" (task ${request.taskId}) was recorded; the release engine reports that the task had already been closed.`,
      yourComment: 'Your comment:',
      notYou: 'If you did not send this answer, tell your release team at once.',
    },
  },
  timers: {
    reminder: {
      subjectPrefix: 'Reminder: action required',
      lead: 'Reminder: this task is still waiting for your decision.',
    },
    escalation: {
      subjectPrefix: 'Action required (escalated)',
      lead: (after) => `You were added to this request because nobody answered within ${after}.`,
    },
  },
};
