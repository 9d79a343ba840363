// i18n.js: the dashboard's and the feedback page's words in English and
// Brazilian Portuguese. The language follows the browser (pt* → pt-BR)
// until someone picks one; the pick is kept in localStorage.
//
// Static text in the HTML names its key: data-i18n (text), data-i18n-placeholder,
// data-i18n-label (aria-label), data-i18n-title. Scripts call t(key, vars).

const KEY = 'zapgate.lang';

export const LANGS = { en: 'English', 'pt-BR': 'Português (Brasil)' };

const en = {
  // top bar and navigation
  'nav.inbox': 'Inbox',
  'nav.instances': 'Instances',
  'nav.team': 'Team',
  'nav.feedback': 'Feedback',
  'nav.reports': 'Reports',
  'top.logout': 'Log out',
  'top.language': 'Language',
  'top.skip': 'Skip to content',
  'live.open': 'Live',
  'live.connecting': 'Connecting…',
  'live.closed': 'Offline, reconnecting…',
  'presence.label': 'My status',
  'presence.online': 'Online',
  'presence.away': 'Away',
  'presence.failed': 'Your status could not be changed: {error}',
  'notify.enable': 'Turn on notifications',
  'notify.on': 'Notifications on',
  // login
  'login.title': 'Log in',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.token': 'Log in with the admin token',
  'login.tokenLabel': 'Admin token',
  'login.tokenSubmit': 'Log in with the token',
  'login.missing': 'Enter your email and password.',
  'login.wrong': 'Wrong email or password.',
  'login.tooMany': 'Too many failed attempts. Wait a few minutes and try again.',
  'login.tokenMissing': 'Enter the admin token.',
  'login.tokenWrong': 'That is not the admin token.',
  'login.ended': 'Your session has ended. Log in again.',
  // inbox
  'inbox.title': 'Inbox',
  'inbox.open': 'Open',
  'inbox.closed': 'Closed',
  'inbox.show': 'Show conversations',
  'inbox.more': 'Show more',
  'inbox.emptyOpen': 'No open conversations.',
  'inbox.emptyClosed': 'No closed conversations.',
  'inbox.choose': 'Choose a conversation.',
  'inbox.back': '← All conversations',
  'filter.label': 'Filter conversations',
  'filter.all': 'All',
  'filter.mine': 'Mine',
  'filter.unassigned': 'Unassigned',
  'filter.team': 'Team',
  'filter.anyTeam': 'Any team',
  'filter.labelPh': 'Label',
  'filter.search': 'Search',
  'filter.searchPh': 'Search messages, names, phones',
  'conv.assignTo': 'Assign to',
  'conv.assign': 'Assign',
  'conv.close': 'Close conversation',
  'conv.closedNote': 'This conversation is closed. The client can write again to open a new one.',
  'conv.reopen': 'Reopen',
  'conv.reopened': 'The conversation was reopened',
  'conv.notReopened': 'Not reopened: {error}',
  'conv.transfer': 'Transfer',
  'conv.transferTo': 'Transfer to',
  'conv.transferNote': 'Note for the next attendant (optional)',
  'conv.transferred': 'The conversation was transferred',
  'conv.notTransferred': 'Not transferred: {error}',
  'conv.chooseTarget': 'Choose an attendant or a team.',
  'conv.attendants': 'Attendants',
  'conv.teams': 'Teams',
  'conv.addNote': 'Add note',
  'conv.notePh': 'A private note: the client never sees it',
  'conv.noteSave': 'Save note',
  'conv.notSaved': 'Note not saved: {error}',
  'conv.noteEmpty': 'Write the note first.',
  'conv.note': 'Private note',
  'conv.noteBy': 'Note by {name}',
  'conv.labels': 'Labels',
  'conv.addLabel': 'Add a label',
  'conv.removeLabel': 'Remove the label {label}',
  'conv.labelsFailed': 'Labels not saved: {error}',
  'conv.cancel': 'Cancel',
  'conv.you': 'You',
  'conv.nobody': 'Nobody',
  'conv.statusOpen': 'Open',
  'conv.statusClosed': 'Closed',
  'conv.assignedTo': 'Assigned to {name}',
  'conv.notAssigned': 'Not assigned',
  'conv.today': 'Today',
  'conv.yesterday': 'Yesterday',
  'conv.client': 'Client',
  'conv.clientNotes': 'Notes about the client',
  'conv.clientSave': 'Save',
  'conv.clientSaved': 'Saved',
  'conv.pastAttendances': 'Past conversations',
  'conv.attributes': 'Attributes (one key=value a line)',
  'reply.placeholder': 'Write a reply (Enter sends, Shift+Enter for a new line, / for saved replies)',
  'reply.send': 'Send',
  'reply.canned': 'Saved replies',
  'reply.noCanned': 'No saved reply starts with that',
  // notifications
  'notify.newAttendance': 'A new conversation was assigned to you',
  'notify.newMessage': 'New message from {name}',
  // admin: team page
  'team.title': 'Team',
  'team.attendants': 'Attendants',
  'team.teams': 'Teams',
  'team.name': 'Name',
  'team.email': 'Email',
  'team.password': 'Password',
  'team.role': 'Role',
  'team.roleAttendant': 'Attendant',
  'team.roleAdmin': 'Admin',
  'team.create': 'Create',
  'team.status': 'Status',
  'team.open': 'Open',
  'team.capacity': 'Capacity',
  'team.active': 'Active',
  'team.deactivate': 'Deactivate',
  'team.activate': 'Activate',
  'team.save': 'Save',
  'team.delete': 'Delete',
  'team.instances': 'Instances',
  'team.members': 'Members',
  'team.routing': 'Routing',
  'team.roundRobin': 'Round robin',
  'team.manual': 'Manual',
  'team.failed': 'Not saved: {error}',
  'team.none': 'None yet.',
  'status.online': 'Online',
  'status.away': 'Away',
  'status.offline': 'Offline',
  // feedback summary
  'feedback.title': 'Feedback',
  'feedback.intro': 'What clients said after their conversations were closed.',
  'feedback.average': 'Average rating (1 to 5)',
  'feedback.count': 'Ratings',
  // public feedback page
  'fb.title': 'How did we do?',
  'fb.loading': 'Loading…',
  'fb.legend': 'Rate the help you got',
  'fb.hint': '1 is very bad, 5 is excellent.',
  'fb.comment': 'Anything to add?',
  'fb.optional': '(optional)',
  'fb.submit': 'Send my rating',
  'fb.choose': 'Choose a rating from 1 to 5.',
  'fb.netError': 'Your rating could not be sent. Check your connection and try again.',
  'fb.retry': 'Your rating could not be sent. Try again.',
  'fb.doneTitle': 'Thank you!',
  'fb.doneText': 'Your rating was sent. We appreciate it.',
  'fb.usedTitle': 'Already rated',
  'fb.usedText': 'This link was already used to rate the conversation. Thank you!',
  'fb.expiredTitle': 'This link has expired',
  'fb.expiredText': 'Ratings are taken for a limited time after the conversation.',
  'fb.unknownTitle': 'This link is not valid',
  'fb.unknownText': 'Check that the whole link was opened, or ask us for a new one.',
  'fb.errorTitle': 'Something went wrong',
  'fb.errorText': 'The page could not reach us. Check your connection and reload the page.',
};

const ptBR = {
  'nav.inbox': 'Caixa de entrada',
  'nav.instances': 'Instâncias',
  'nav.team': 'Equipe',
  'nav.feedback': 'Avaliações',
  'nav.reports': 'Relatórios',
  'top.logout': 'Sair',
  'top.language': 'Idioma',
  'top.skip': 'Ir para o conteúdo',
  'live.open': 'Ao vivo',
  'live.connecting': 'Conectando…',
  'live.closed': 'Sem conexão, reconectando…',
  'presence.label': 'Meu status',
  'presence.online': 'Disponível',
  'presence.away': 'Ausente',
  'presence.failed': 'Não foi possível mudar seu status: {error}',
  'notify.enable': 'Ativar notificações',
  'notify.on': 'Notificações ativadas',
  'login.title': 'Entrar',
  'login.email': 'E-mail',
  'login.password': 'Senha',
  'login.submit': 'Entrar',
  'login.token': 'Entrar com o token de administrador',
  'login.tokenLabel': 'Token de administrador',
  'login.tokenSubmit': 'Entrar com o token',
  'login.missing': 'Informe seu e-mail e sua senha.',
  'login.wrong': 'E-mail ou senha incorretos.',
  'login.tooMany': 'Muitas tentativas. Aguarde alguns minutos e tente de novo.',
  'login.tokenMissing': 'Informe o token de administrador.',
  'login.tokenWrong': 'Esse não é o token de administrador.',
  'login.ended': 'Sua sessão terminou. Entre novamente.',
  'inbox.title': 'Caixa de entrada',
  'inbox.open': 'Abertos',
  'inbox.closed': 'Encerrados',
  'inbox.show': 'Mostrar atendimentos',
  'inbox.more': 'Mostrar mais',
  'inbox.emptyOpen': 'Nenhum atendimento aberto.',
  'inbox.emptyClosed': 'Nenhum atendimento encerrado.',
  'inbox.choose': 'Escolha um atendimento.',
  'inbox.back': '← Todos os atendimentos',
  'filter.label': 'Filtrar atendimentos',
  'filter.all': 'Todos',
  'filter.mine': 'Meus',
  'filter.unassigned': 'Sem atendente',
  'filter.team': 'Equipe',
  'filter.anyTeam': 'Qualquer equipe',
  'filter.labelPh': 'Etiqueta',
  'filter.search': 'Buscar',
  'filter.searchPh': 'Buscar mensagens, nomes, telefones',
  'conv.assignTo': 'Atribuir a',
  'conv.assign': 'Atribuir',
  'conv.close': 'Encerrar atendimento',
  'conv.closedNote': 'Este atendimento foi encerrado. O cliente pode escrever de novo para abrir outro.',
  'conv.reopen': 'Reabrir',
  'conv.reopened': 'O atendimento foi reaberto',
  'conv.notReopened': 'Não reaberto: {error}',
  'conv.transfer': 'Transferir',
  'conv.transferTo': 'Transferir para',
  'conv.transferNote': 'Recado para o próximo atendente (opcional)',
  'conv.transferred': 'O atendimento foi transferido',
  'conv.notTransferred': 'Não transferido: {error}',
  'conv.chooseTarget': 'Escolha um atendente ou uma equipe.',
  'conv.attendants': 'Atendentes',
  'conv.teams': 'Equipes',
  'conv.addNote': 'Adicionar nota',
  'conv.notePh': 'Uma nota interna: o cliente nunca a vê',
  'conv.noteSave': 'Salvar nota',
  'conv.notSaved': 'Nota não salva: {error}',
  'conv.noteEmpty': 'Escreva a nota primeiro.',
  'conv.note': 'Nota interna',
  'conv.noteBy': 'Nota de {name}',
  'conv.labels': 'Etiquetas',
  'conv.addLabel': 'Adicionar etiqueta',
  'conv.removeLabel': 'Remover a etiqueta {label}',
  'conv.labelsFailed': 'Etiquetas não salvas: {error}',
  'conv.cancel': 'Cancelar',
  'conv.you': 'Você',
  'conv.nobody': 'Ninguém',
  'conv.statusOpen': 'Aberto',
  'conv.statusClosed': 'Encerrado',
  'conv.assignedTo': 'Atribuído a {name}',
  'conv.notAssigned': 'Sem atendente',
  'conv.today': 'Hoje',
  'conv.yesterday': 'Ontem',
  'conv.client': 'Cliente',
  'conv.clientNotes': 'Notas sobre o cliente',
  'conv.clientSave': 'Salvar',
  'conv.clientSaved': 'Salvo',
  'conv.pastAttendances': 'Atendimentos anteriores',
  'conv.attributes': 'Atributos (um chave=valor por linha)',
  'reply.placeholder': 'Escreva uma resposta (Enter envia, Shift+Enter quebra a linha, / para respostas prontas)',
  'reply.send': 'Enviar',
  'reply.canned': 'Respostas prontas',
  'reply.noCanned': 'Nenhuma resposta pronta começa assim',
  'notify.newAttendance': 'Um novo atendimento foi atribuído a você',
  'notify.newMessage': 'Nova mensagem de {name}',
  'team.title': 'Equipe',
  'team.attendants': 'Atendentes',
  'team.teams': 'Equipes',
  'team.name': 'Nome',
  'team.email': 'E-mail',
  'team.password': 'Senha',
  'team.role': 'Papel',
  'team.roleAttendant': 'Atendente',
  'team.roleAdmin': 'Administrador',
  'team.create': 'Criar',
  'team.status': 'Status',
  'team.open': 'Abertos',
  'team.capacity': 'Capacidade',
  'team.active': 'Ativo',
  'team.deactivate': 'Desativar',
  'team.activate': 'Ativar',
  'team.save': 'Salvar',
  'team.delete': 'Excluir',
  'team.instances': 'Instâncias',
  'team.members': 'Membros',
  'team.routing': 'Distribuição',
  'team.roundRobin': 'Rodízio',
  'team.manual': 'Manual',
  'team.failed': 'Não salvo: {error}',
  'team.none': 'Nenhum ainda.',
  'status.online': 'Disponível',
  'status.away': 'Ausente',
  'status.offline': 'Desconectado',
  'feedback.title': 'Avaliações',
  'feedback.intro': 'O que os clientes disseram depois do encerramento dos atendimentos.',
  'feedback.average': 'Nota média (1 a 5)',
  'feedback.count': 'Avaliações',
  'fb.title': 'Como foi o atendimento?',
  'fb.loading': 'Carregando…',
  'fb.legend': 'Avalie a ajuda que você recebeu',
  'fb.hint': '1 é muito ruim, 5 é excelente.',
  'fb.comment': 'Algo a acrescentar?',
  'fb.optional': '(opcional)',
  'fb.submit': 'Enviar minha avaliação',
  'fb.choose': 'Escolha uma nota de 1 a 5.',
  'fb.netError': 'Não foi possível enviar sua avaliação. Verifique sua conexão e tente de novo.',
  'fb.retry': 'Não foi possível enviar sua avaliação. Tente de novo.',
  'fb.doneTitle': 'Obrigado!',
  'fb.doneText': 'Sua avaliação foi enviada. Agradecemos muito.',
  'fb.usedTitle': 'Já avaliado',
  'fb.usedText': 'Este link já foi usado para avaliar o atendimento. Obrigado!',
  'fb.expiredTitle': 'Este link expirou',
  'fb.expiredText': 'As avaliações são aceitas por um tempo limitado após o atendimento.',
  'fb.unknownTitle': 'Este link não é válido',
  'fb.unknownText': 'Verifique se o link foi aberto por inteiro, ou peça um novo.',
  'fb.errorTitle': 'Algo deu errado',
  'fb.errorText': 'A página não conseguiu nos alcançar. Verifique sua conexão e recarregue a página.',
};

const DICTS = { en, 'pt-BR': ptBR };

function pick() {
  let saved = '';
  try {
    saved = localStorage.getItem(KEY) || '';
  } catch {
    // storage may be off: the browser's language decides
  }
  if (DICTS[saved]) return saved;
  return (navigator.language || '').toLowerCase().startsWith('pt') ? 'pt-BR' : 'en';
}

let current = pick();

export const lang = () => current;

// t is the text for key in the current language (English when missing),
// with {name} filled from vars.
export function t(key, vars = {}) {
  const text = DICTS[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in vars ? String(vars[name]) : all));
}

const listeners = [];

// onLangChange calls fn after the language changes (to redraw what scripts wrote).
export function onLangChange(fn) {
  listeners.push(fn);
}

export function setLang(next) {
  if (!DICTS[next] || next === current) return;
  current = next;
  try {
    localStorage.setItem(KEY, next);
  } catch {
    // kept for this page only
  }
  applyI18n();
  for (const fn of listeners) fn(next);
}

// applyI18n writes the current language into the marked elements of root.
export function applyI18n(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}

// langSelect wires a <select> to choose the language.
export function langSelect(select) {
  select.replaceChildren(...Object.entries(LANGS).map(([code, name]) => {
    const o = document.createElement('option');
    o.value = code;
    o.textContent = name;
    o.selected = code === current;
    return o;
  }));
  select.addEventListener('change', () => setLang(select.value));
  onLangChange((l) => {
    select.value = l;
  });
}
