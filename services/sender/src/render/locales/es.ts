import type { LocaleStrings } from '../strings';

/** Spanish, addressing the reader as usted; «comillas angulares» as in edited Spanish text. */
const quote = (text: string) => `«${text}»`;
const replyKeywords = { complete: 'aprobado', fail: 'rechazado' };
const completeButton = 'Completar tarea';
const failButton = 'Rechazar tarea';
const BUTTONS = `${quote(completeButton)} o ${quote(failButton)}`;
const DONE = { complete: 'completada', fail: 'marcada como fallida' } as const;
const MARKED = { complete: 'completada', fail: 'fallida' } as const;
const COULD_NOT_APPLY = 'No se pudo aplicar su correo.';
const NOT_READ = 'por lo que no se leyó como respuesta.';

export const es: LocaleStrings = {
  request: {
    subjectPrefix: 'Acción requerida',
    completeButton,
    failButton,
    greeting: (name) => `Hola, ${name}:`,
    intro: 'Una tarea de un pipeline de release está esperando su decisión.',
    task: 'Tarea',
    release: 'Release',
    description: 'Descripción',
    taskId: 'ID de la tarea',
    expires: 'Plazo de respuesta',
    explainButton: (label, explained) => `${quote(label)} ${explained}`,
    completeExplained: 'marca la tarea como completada.',
    failExplained: 'marca la tarea como fallida.',
    howButtonsWork:
      'Ambos abren un correo ya redactado: escriba un comentario encima de la línea marcada y envíelo.',
    clickIsNotEnough: 'Hacer clic no basta: solo cuenta el envío del correo.',
    plainReply: `También puede responder directamente a este correo: empiece su respuesta con ${quote(replyKeywords.complete)} o ${quote(replyKeywords.fail)}.`,
    replyKeywords,
    footer:
      'Este mensaje se envió automáticamente. No modifique el token del asunto ni del cuerpo del mensaje.',
  },
  notice: {
    greeting: 'Hola:',
    footer: 'Este mensaje lo envió automáticamente el servicio Remote Completion.',
    rejection: {
      subject: (request) =>
        request ? `Respuesta no aplicada: ${request.title}` : 'Su correo no se ha procesado',
      headline: (request) =>
        request
          ? `Su respuesta a ${quote(request.title)} (tarea ${request.taskId}) no se ha aplicado.`
          : 'Su correo no se ha aplicado.',
      explanations: {
        expired: ({ request }) =>
          `La solicitud caducó ${request ? `el ${request.expiresAt}` : 'en su fecha límite'}, antes de que llegara su respuesta. Si la tarea aún necesita una decisión, pida a su responsable una nueva solicitud.`,
        already_decided: ({ decision }) =>
          decision
            ? `La tarea ya había sido ${DONE[decision.action]} por ${decision.actor} el ${decision.decidedAt}. Cuenta la primera respuesta; las posteriores no se aplican.`
            : 'Una respuesta anterior ya había decidido la tarea. Cuenta la primera respuesta; las posteriores no se aplican.',
        cancelled: ({ cancelledAt }) =>
          `La solicitud se retiró${cancelledAt ? ` el ${cancelledAt}` : ''}: la tarea se resolvió por otra vía o se reasignó. Si se le ha reasignado a usted, responda al correo de solicitud más reciente.`,
        sender_mismatch: () =>
          'El enlace de respuesta que usó se envió a otra persona. Solo el destinatario de un correo de solicitud puede responder con sus enlaces; utilice los botones de su propio correo de solicitud.',
        bad_signature: () =>
          `El código de respuesta de su correo se modificó o ya no es válido. Vuelva a usar el botón ${BUTTONS} del correo de solicitud, sin editar el código.`,
        unknown_request: () => 'La solicitud a la que responde su correo ya no existe.',
        no_token: () =>
          `Su correo no indica a qué solicitud responde. Use el botón ${BUTTONS} del correo de solicitud o responda directamente a ese correo.`,
        no_action: () =>
          `No pudimos saber si quiere completar la tarea o rechazarla. Use el botón ${BUTTONS}, o empiece su respuesta con ${quote(replyKeywords.complete)} o ${quote(replyKeywords.fail)}.`,
        ambiguous: () =>
          'Su correo responde a varias solicitudes a la vez. Responda a cada solicitud por separado.',
        auto_reply: () =>
          `Su correo parecía una respuesta automática (por ejemplo, un aviso de ausencia), ${NOT_READ}`,
        bounce: () => `Su correo parecía un informe de entrega, ${NOT_READ}`,
        read_receipt: () => `Su correo era una confirmación de lectura, ${NOT_READ}`,
        calendar_reply: () =>
          `Su correo era una respuesta de calendario (como ${quote('Aceptado')}), ${NOT_READ} Use el botón ${BUTTONS} del correo de solicitud.`,
        auto_forward: () =>
          `Su correo lo reenvió una regla del buzón, ${NOT_READ} Responda usted mismo al correo de solicitud.`,
        loop: () => COULD_NOT_APPLY,
        too_large: () =>
          'Su correo era demasiado grande para leerlo. Vuelva a responder sin archivos adjuntos.',
        malformed: () =>
          `No se pudo leer su correo. Vuelva a usar el botón ${BUTTONS} del correo de solicitud.`,
        rate_limited: () =>
          'Ha enviado en poco tiempo más correos de los que el servicio lee. Espere un rato y luego responda una sola vez.',
        // Which rule refused the sender stays unsaid: naming it helps whoever probes the rules.
        not_whitelisted: () => COULD_NOT_APPLY,
        dmarc_fail: () => COULD_NOT_APPLY,
        processing_failed: () =>
          'Su correo no se pudo procesar por un error de nuestra parte. Vuelva a responder más tarde o avise a su equipo de release.',
        self_approval: () =>
          'Esta aprobación la solicitó usted, y la solicitud no permite aprobar una solicitud propia. Debe responder otra de las personas asignadas.',
        revoked: () =>
          'La solicitud se reasignó y usted ya no figura entre las personas asignadas, por lo que los enlaces de respuesta de su correo de solicitud ya no funcionan.',
        already_voted: ({ decision }) =>
          `Ya había respondido a esta solicitud${decision ? ` (${quote(decision.action === 'complete' ? completeButton : failButton)} el ${decision.decidedAt})` : ''}. Cuenta la primera respuesta de cada persona; las posteriores no se aplican.`,
        reason_required: () =>
          `Esta solicitud exige un motivo para rechazar, y su respuesta no incluía ningún comentario. Vuelva a usar el botón ${quote(failButton)} y escriba el motivo encima de la línea marcada.`,
      },
      nothingChanged: 'No se ha cambiado nada en el motor de release.',
      reasonCode: (reason) => `Código de motivo: ${reason}`,
      yourEmail: (messageId) => `Su correo: ${messageId}`,
    },
    decided: {
      subject: ({ request }) => `Decidida: ${request.title}`,
      headline: ({ request, decision }) =>
        `La tarea ${quote(request.title)} (tarea ${request.taskId}) fue ${DONE[decision.action]} por ${decision.actor} el ${decision.decidedAt}.`,
      noAnswerNeeded:
        'Ya no hace falta su respuesta: los enlaces de respuesta de su correo de solicitud ya no funcionan.',
    },
    confirmation: {
      subject: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `${action === 'complete' ? 'Completada' : 'Fallida'}: ${request.title}`
          : `Respuesta registrada: ${request.title}`,
      headline: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `Su respuesta se ha aplicado: la tarea ${quote(request.title)} (tarea ${request.taskId}) se marcó como ${MARKED[action]} en el motor de release.`
          : `Su respuesta a ${quote(request.title)} (tarea ${request.taskId}) quedó registrada; según el motor de release, la tarea ya estaba cerrada.`,
      yourComment: 'Su comentario:',
      notYou: 'Si no envió esta respuesta, avise de inmediato a su equipo de release.',
    },
  },
  timers: {
    reminder: {
      subjectPrefix: 'Recordatorio: acción requerida',
      lead: 'Recordatorio: esta tarea sigue esperando su decisión.',
    },
    escalation: {
      subjectPrefix: 'Acción requerida (escalada)',
      lead: (after) =>
        `Se le ha añadido a esta solicitud porque nadie respondió en un plazo de ${after}.`,
    },
  },
};
