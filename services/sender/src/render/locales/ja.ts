import type { LocaleStrings } from '../strings';

/**
 * Japanese, in polite business style (です・ます). Brackets 「」 and full-width （） and ：
 * inside Japanese sentences; tokens, ids, times and the reason code stay in ASCII. No spaces
 * between words, so clients break lines between any two characters (kinsoku rules apply).
 */
const quote = (text: string) => `「${text}」`;
const replyKeywords = { complete: '承認します', fail: '却下します' };
const completeButton = 'タスクを完了する';
const failButton = 'タスクを却下する';
const BUTTONS = `${quote(completeButton)}または${quote(failButton)}`;
const MARKED = { complete: '完了', fail: '失敗' } as const;
const COULD_NOT_APPLY = 'お送りいただいたメールは適用できませんでした。';
const NOT_READ = 'ため、回答としては扱われませんでした。';

export const ja: LocaleStrings = {
  request: {
    subjectPrefix: '要対応',
    completeButton,
    failButton,
    greeting: (name) => `${name} 様`,
    intro: 'リリースパイプラインのタスクについて、ご判断をお願いします。',
    task: 'タスク',
    release: 'リリース',
    description: '説明',
    taskId: 'タスク ID',
    expires: '回答期限',
    explainButton: (label, explained) => `${quote(label)}：${explained}`,
    completeExplained: 'タスクを完了として記録します。',
    failExplained: 'タスクを失敗として記録します。',
    howButtonsWork:
      'どちらのボタンも、入力済みのメールを開きます。印の付いた行より上にコメントを書いて送信してください。',
    clickIsNotEnough:
      'クリックしただけでは何も起こりません。メールを送信して初めて回答になります。',
    plainReply: `このメールに直接返信することもできます。本文の最初に${quote(replyKeywords.complete)}または${quote(replyKeywords.fail)}と書いてください。`,
    replyKeywords,
    footer: 'このメッセージは自動送信されています。件名や本文のトークンは変更しないでください。',
  },
  notice: {
    greeting: 'ご担当者様',
    footer: 'このメッセージは Remote Completion サービスから自動送信されています。',
    rejection: {
      subject: (request) => (request ? `未適用: ${request.title}` : 'メールは処理されませんでした'),
      headline: (request) =>
        request
          ? `${quote(request.title)}（タスク ${request.taskId}）へのご回答は適用されませんでした。`
          : 'お送りいただいたメールは適用されませんでした。',
      explanations: {
        expired: ({ request }) =>
          `${request ? `この依頼は ${request.expiresAt} に期限切れとなり` : 'この依頼は回答期限を過ぎており'}、ご回答はその後に届きました。まだ判断が必要な場合は、タスクの責任者に新しい依頼の送信をお願いしてください。`,
        already_decided: ({ decision }) =>
          decision
            ? `このタスクは既に ${decision.actor} により ${decision.decidedAt} に${MARKED[decision.action]}として処理されています。有効なのは最初の回答のみで、それ以降の回答は適用されません。`
            : 'このタスクは、先に届いた回答によって既に決定されています。有効なのは最初の回答のみで、それ以降の回答は適用されません。',
        cancelled: ({ cancelledAt }) =>
          `この依頼は${cancelledAt ? ` ${cancelledAt} に` : ''}取り下げられました。タスクが別の方法で処理されたか、担当者が変更されています。新たに担当となった場合は、最新の依頼メールに回答してください。`,
        sender_mismatch: () =>
          'お使いの回答リンクは、別の方に送られたものです。依頼メールのリンクで回答できるのは、そのメールの受信者だけです。ご自身宛ての依頼メールのボタンをお使いください。',
        bad_signature: () =>
          `メール内の回答コードが変更されているか、既に無効です。コードを編集せずに、依頼メールの${BUTTONS}ボタンをもう一度お使いください。`,
        unknown_request: () => 'このメールが回答している依頼は、既に存在しません。',
        no_token: () =>
          `どの依頼への回答か分かりませんでした。依頼メールの${BUTTONS}ボタンを使うか、依頼メールに直接返信してください。`,
        no_action: () =>
          `タスクを完了するのか却下するのか判断できませんでした。${BUTTONS}ボタンを使うか、返信の最初に${quote(replyKeywords.complete)}または${quote(replyKeywords.fail)}と書いてください。`,
        ambiguous: () =>
          '1 通のメールで複数の依頼に回答しています。依頼ごとに個別に回答してください。',
        auto_reply: () => `自動応答（不在通知など）と判断された${NOT_READ}`,
        bounce: () => `配信状態の通知と判断された${NOT_READ}`,
        read_receipt: () => `開封確認のメールだった${NOT_READ}`,
        calendar_reply: () =>
          `予定表の返信（${quote('承諾')}など）だった${NOT_READ}依頼メールの${BUTTONS}ボタンをお使いください。`,
        auto_forward: () =>
          `メールボックスのルールで転送されたメールだった${NOT_READ}依頼メールにご自身で回答してください。`,
        loop: () => COULD_NOT_APPLY,
        too_large: () =>
          'メールのサイズが大きすぎるため読み取れませんでした。添付ファイルを付けずに、もう一度回答してください。',
        malformed: () =>
          `メールを読み取れませんでした。依頼メールの${BUTTONS}ボタンをもう一度お使いください。`,
        rate_limited: () =>
          '短時間に送信されたメールの数が、サービスが読み取る上限を超えました。しばらく待ってから、1 回だけ回答してください。',
        // Which rule refused the sender stays unsaid: naming it helps whoever probes the rules.
        not_whitelisted: () => COULD_NOT_APPLY,
        dmarc_fail: () => COULD_NOT_APPLY,
        processing_failed: () =>
          'こちら側のエラーにより、メールを処理できませんでした。時間をおいてもう一度回答するか、リリースチームにお知らせください。',
        self_approval: () =>
          'この承認はご自身が依頼したものですが、この依頼では依頼者本人による承認は認められていません。他の回答者が回答する必要があります。',
        revoked: () =>
          'この依頼は担当者が変更され、ご自身は回答者から外れました。そのため、お手元の依頼メールの回答リンクは無効になっています。',
        already_voted: ({ decision }) =>
          `この依頼には既に回答済みです${decision ? `（${decision.decidedAt} に${quote(decision.action === 'complete' ? completeButton : failButton)}）` : ''}。有効なのは各回答者の最初の回答のみで、それ以降の回答は適用されません。`,
        reason_required: () =>
          `この依頼では、却下する際に理由の記入が必要ですが、ご回答にはコメントがありませんでした。もう一度${quote(failButton)}ボタンを使い、印の付いた行より上に理由を書いてください。`,
      },
      nothingChanged: 'リリースエンジンでは何も変更されていません。',
      reasonCode: (reason) => `理由コード: ${reason}`,
      yourEmail: (messageId) => `お送りいただいたメール: ${messageId}`,
    },
    decided: {
      subject: ({ request }) => `決定済み: ${request.title}`,
      headline: ({ request, decision }) =>
        `タスク${quote(request.title)}（タスク ${request.taskId}）は、${decision.decidedAt} に ${decision.actor} により${MARKED[decision.action]}として処理されました。`,
      noAnswerNeeded: 'ご回答は不要になりました。依頼メールの回答リンクは無効になっています。',
    },
    confirmation: {
      subject: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `${MARKED[action]}: ${request.title}`
          : `記録済み: ${request.title}`,
      headline: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `ご回答を適用しました。タスク${quote(request.title)}（タスク ${request.taskId}）は、リリースエンジンで${MARKED[action]}として記録されました。`
          : `${quote(request.title)}（タスク ${request.taskId}）へのご回答を記録しました。なお、リリースエンジンによると、このタスクは既に終了していました。`,
      yourComment: 'ご記入のコメント：',
      notYou: 'この回答を送信した覚えがない場合は、すぐにリリースチームにお知らせください。',
    },
  },
  timers: {
    reminder: {
      subjectPrefix: 'リマインダー（要対応）',
      lead: 'リマインダー：このタスクは、まだご判断をお待ちしています。',
    },
    escalation: {
      subjectPrefix: '要対応（エスカレーション）',
      lead: (after) =>
        `${after} 以内にどなたからも回答がなかったため、この依頼の回答者に追加されました。`,
    },
  },
};
