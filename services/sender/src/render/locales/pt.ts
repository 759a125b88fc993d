import type { LocaleStrings } from '../strings';

/**
 * Portuguese for Brazil (`pt-BR`) and Portugal alike: words both use the same way, no
 * pronoun where the two differ (você / tu), no equipe / equipa, registrado / registado.
 */
const quote = (text: string) => `“${text}”`;
const replyKeywords = { complete: 'aprovado', fail: 'rejeitado' };
const completeButton = 'Concluir tarefa';
const failButton = 'Rejeitar tarefa';
const BUTTONS = `${quote(completeButton)} ou ${quote(failButton)}`;
const DONE = { complete: 'concluída', fail: 'marcada como malsucedida' } as const;
const MARKED = { complete: 'concluída', fail: 'malsucedida' } as const;
const COULD_NOT_APPLY = 'Não foi possível aplicar o seu e-mail.';
const NOT_READ = 'por isso não foi lido como resposta.';

export const pt: LocaleStrings = {
  request: {
    subjectPrefix: 'Ação necessária',
    completeButton,
    failButton,
    greeting: (name) => `Olá, ${name},`,
    intro: 'Uma tarefa de um pipeline de release aguarda a sua decisão.',
    task: 'Tarefa',
    release: 'Release',
    description: 'Descrição',
    taskId: 'ID da tarefa',
    expires: 'Responder até',
    explainButton: (label, explained) => `${quote(label)} ${explained}`,
    completeExplained: 'marca a tarefa como concluída.',
    failExplained: 'marca a tarefa como malsucedida.',
    howButtonsWork:
      'Ambos abrem um e-mail já preenchido: escreva um comentário acima da linha marcada e envie-o.',
    clickIsNotEnough: 'Só clicar não basta: apenas o envio do e-mail conta.',
    plainReply: `Também pode responder diretamente a este e-mail: comece a resposta com ${quote(replyKeywords.complete)} ou ${quote(replyKeywords.fail)}.`,
    replyKeywords,
    footer:
      'Esta mensagem foi enviada automaticamente. Não altere o token no assunto nem no corpo da mensagem.',
  },
  notice: {
    greeting: 'Olá,',
    footer: 'Esta mensagem foi enviada automaticamente pelo serviço Remote Completion.',
    rejection: {
      subject: (request) =>
        request ? `Resposta não aplicada: ${request.title}` : 'O seu e-mail não foi processado',
      headline: (request) =>
        request
          ? `A sua resposta a ${quote(request.title)} (tarefa ${request.taskId}) não foi aplicada.`
          : 'O seu e-mail não foi aplicado.',
      explanations: {
        expired: ({ request }) =>
          `O pedido expirou ${request ? `em ${request.expiresAt}` : 'no prazo definido'}, antes de a sua resposta chegar. Se a tarefa ainda precisar de uma decisão, peça um novo pedido ao responsável por ela.`,
        already_decided: ({ decision }) =>
          decision
            ? `A tarefa já tinha sido ${DONE[decision.action]} por ${decision.actor} em ${decision.decidedAt}. Vale a primeira resposta; as posteriores não são aplicadas.`
            : 'Uma resposta anterior já tinha decidido a tarefa. Vale a primeira resposta; as posteriores não são aplicadas.',
        cancelled: ({ cancelledAt }) =>
          `O pedido foi retirado${cancelledAt ? ` em ${cancelledAt}` : ''}: a tarefa foi resolvida de outra forma ou atribuída a outra pessoa. Se a tarefa passou a ser sua, responda ao e-mail de pedido mais recente.`,
        sender_mismatch: () =>
          'O link de resposta usado foi enviado a outra pessoa. Só o destinatário de um e-mail de pedido pode responder com os links dele; use os botões do seu próprio e-mail de pedido.',
        bad_signature: () =>
          `O código de resposta do seu e-mail foi alterado ou deixou de ser válido. Use novamente o botão ${BUTTONS} do e-mail de pedido, sem editar o código.`,
        unknown_request: () => 'O pedido a que o seu e-mail responde deixou de existir.',
        no_token: () =>
          `O seu e-mail não indica a que pedido responde. Use o botão ${BUTTONS} do e-mail de pedido ou responda diretamente a esse e-mail.`,
        no_action: () =>
          `Não foi possível identificar se quer concluir a tarefa ou rejeitá-la. Use o botão ${BUTTONS} ou comece a resposta com ${quote(replyKeywords.complete)} ou ${quote(replyKeywords.fail)}.`,
        ambiguous: () =>
          'O seu e-mail responde a vários pedidos de uma só vez. Responda a cada pedido separadamente.',
        auto_reply: () =>
          `O seu e-mail parecia uma resposta automática (como uma mensagem de ausência), ${NOT_READ}`,
        bounce: () => `O seu e-mail parecia um relatório de entrega, ${NOT_READ}`,
        read_receipt: () => `O seu e-mail era uma confirmação de leitura, ${NOT_READ}`,
        calendar_reply: () =>
          `O seu e-mail era uma resposta de calendário (como ${quote('Aceito')}), ${NOT_READ} Use o botão ${BUTTONS} do e-mail de pedido.`,
        auto_forward: () =>
          `O seu e-mail foi encaminhado por uma regra da caixa de correio, ${NOT_READ} Responda pessoalmente ao e-mail de pedido.`,
        loop: () => COULD_NOT_APPLY,
        too_large: () =>
          'O seu e-mail era grande demais para ser lido. Responda novamente sem anexos.',
        malformed: () =>
          `Não foi possível ler o seu e-mail. Use novamente o botão ${BUTTONS} do e-mail de pedido.`,
        rate_limited: () =>
          'Foram enviados em pouco tempo mais e-mails do que o serviço lê. Aguarde um pouco e depois responda uma única vez.',
        // Which rule refused the sender stays unsaid: naming it helps whoever probes the rules.
        not_whitelisted: () => COULD_NOT_APPLY,
        dmarc_fail: () => COULD_NOT_APPLY,
        processing_failed: () =>
          'Não foi possível processar o seu e-mail devido a um erro do nosso lado. Responda novamente mais tarde ou avise os responsáveis pelo release.',
        self_approval: () =>
          'Esta aprovação foi pedida pelo mesmo endereço que respondeu, e o pedido não permite aprovar um pedido próprio. Deve responder outra pessoa designada.',
        revoked: () =>
          'O pedido foi atribuído a outras pessoas e o seu endereço deixou de estar entre os destinatários; por isso, os links de resposta do seu e-mail de pedido deixaram de funcionar.',
        already_voted: ({ decision }) =>
          `Este pedido já tinha uma resposta sua${decision ? ` (${quote(decision.action === 'complete' ? completeButton : failButton)} em ${decision.decidedAt})` : ''}. Vale a primeira resposta de cada pessoa; as posteriores não são aplicadas.`,
        reason_required: () =>
          `Este pedido exige um motivo para rejeitar, e a sua resposta não tinha comentário. Use novamente o botão ${quote(failButton)} e escreva o motivo acima da linha marcada.`,
      },
      nothingChanged: 'Nada foi alterado no motor de release.',
      reasonCode: (reason) => `Código do motivo: ${reason}`,
      yourEmail: (messageId) => `O seu e-mail: ${messageId}`,
    },
    decided: {
      subject: ({ request }) => `Decidido: ${request.title}`,
      headline: ({ request, decision }) =>
        `A tarefa ${quote(request.title)} (tarefa ${request.taskId}) foi ${DONE[decision.action]} por ${decision.actor} em ${decision.decidedAt}.`,
      noAnswerNeeded:
        'A sua resposta deixou de ser necessária: os links de resposta do seu e-mail de pedido deixaram de funcionar.',
    },
    confirmation: {
      subject: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `${action === 'complete' ? 'Concluída' : 'Malsucedida'}: ${request.title}`
          : `Resposta recebida: ${request.title}`,
      headline: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `A sua resposta foi aplicada: a tarefa ${quote(request.title)} (tarefa ${request.taskId}) foi marcada como ${MARKED[action]} no motor de release.`
          : `A sua resposta a ${quote(request.title)} (tarefa ${request.taskId}) foi recebida; segundo o motor de release, a tarefa já estava fechada.`,
      yourComment: 'O seu comentário:',
      notYou: 'Se não enviou esta resposta, avise imediatamente os responsáveis pelo release.',
    },
  },
  timers: {
    reminder: {
      subjectPrefix: 'Lembrete: ação necessária',
      lead: 'Lembrete: esta tarefa ainda aguarda a sua decisão.',
    },
    escalation: {
      subjectPrefix: 'Ação necessária (escalada)',
      lead: (after) => `Este pedido chega até si porque ninguém respondeu no prazo de ${after}.`,
    },
  },
};
