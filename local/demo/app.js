// The demo's "Embeddable": a three-page questionnaire. It runs the real Action
// snippets (served as action.js and save-action.js, configured for this demo) with
// the helpers Embeddables gives an Action: the resume on load, and the save on
// each page change, which saves through the API's public routes only, as a page
// does in AWS. "Send me a link" asks the API for a link through the public
// link-requests route, which puts it on the event bus (the runtime prints it).

const PAGES = ['page_1', 'page_2', 'page_3', 'page_done'];
const QUESTION_PAGES = 3;

// What the user reads when a link cannot restore their answers, by error code.
const PROBLEMS = {
  token_expired: 'This link has expired, so your saved answers cannot be opened with it.',
  invalid_token: 'This link is not valid any more. It may have been changed, or withdrawn.',
  link_revoked: 'This link is not valid any more. It may have been changed, or withdrawn.',
  // A link this page asked for works once (the Action says link_used when it was opened before).
  link_used: 'This link was already used; ask for a new one.',
  // The save Action's: the entry was resumed on another device, which ended this page's save token.
  continued_elsewhere: 'You continued on another device, so this page no longer saves your answers. Carry on there, or start over here.',
  entry_not_found: 'We could not find the answers this link points to. They may have been deleted.',
  invalid_request: 'This link is damaged. Copy the whole link from your message and try again.',
  incomplete_link: 'This link is incomplete. Copy the whole link from your message and try again.',
  network_error: 'We could not reach the service that keeps your answers: the network failed, or the service does not accept requests from this site.',
  rate_limited: 'The service is busy. Open your link again in a moment.',
  service_unavailable: 'The service is busy. Open your link again in a moment.',
};
const GENERIC_PROBLEM = 'Your saved answers could not be restored.';

const LABELS = { first_name: 'First name', favourite_colour: 'Favourite colour', plan: 'Plan', seats: 'Seats', newsletter: 'Newsletter', comments: 'Notes' };

const $ = (id) => document.getElementById(id);
const form = $('flow');
const legacy = new URLSearchParams(location.search).get('snippet') === 'legacy';
const config = await (await fetch('config.json', { cache: 'no-store' })).json();

let pageKey = 'page_1';
// What Embeddables would hold in user data besides the form's answers: entry_id,
// session_recovery_resumed_at, attribution, whatever the Actions set.
let held = {};
// The Actions' output functions, once loaded.
let saveAction;

const readAnswers = () => {
  const data = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === 'checkbox') data[el.name] = el.checked;
    else if (el.type === 'radio') {
      if (el.checked) data[el.name] = el.value;
    } else if (el.value.trim() !== '') data[el.name] = el.type === 'number' ? Number(el.value) : el.value.trim();
  }
  return data;
};

const writeAnswers = (data) => {
  for (const el of form.elements) {
    if (!el.name || !Object.hasOwn(data, el.name)) continue;
    const value = data[el.name];
    if (el.type === 'checkbox') el.checked = value === true;
    else if (el.type === 'radio') el.checked = el.value === value;
    else el.value = value == null ? '' : String(value);
  }
};

const FORM_FIELDS = new Set([...form.elements].map((el) => el.name).filter(Boolean));

/** The user data, as Embeddables hands it to an Action. */
const userData = () => ({ ...held, ...readAnswers(), current_page_key: pageKey });

const showUserData = () => {
  $('user-data').textContent = JSON.stringify(userData(), null, 2);
};

const setStatus = (text, kind = '') => {
  $('status').textContent = text;
  $('status').className = `status ${kind}`;
};

const showNotice = (text, kind) => {
  $('notice-text').textContent = text;
  $('notice').className = `notice ${kind}`;
  $('notice').setAttribute('role', kind === 'problem' ? 'alert' : 'status');
  $('start-over').textContent = kind === 'problem' ? 'Start over' : 'Not you? Start over';
  $('notice').hidden = false;
};

/** An answer as the user saw it: the option's or the choice's label rather than its value. */
const displayValue = (name, value) => {
  if (value === true) return 'Yes';
  if (value === false) return 'No';
  if (value === undefined) return '—';
  const field = form.elements.namedItem(name);
  if (field instanceof HTMLSelectElement) return field.selectedOptions[0]?.textContent ?? String(value);
  if (field instanceof RadioNodeList) {
    const choice = [...field].find((el) => el.checked);
    return choice?.parentElement?.textContent.trim() ?? String(value);
  }
  return String(value);
};

const renderSummary = () => {
  const answers = readAnswers();
  $('summary').replaceChildren(
    ...Object.entries(LABELS).flatMap(([name, label]) => {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = displayValue(name, answers[name]);
      return [dt, dd];
    }),
  );
};

const showPage = (key) => {
  pageKey = PAGES.includes(key) ? key : 'page_1';
  for (const section of form.querySelectorAll('[data-page]')) section.hidden = section.dataset.page !== pageKey;
  const index = PAGES.indexOf(pageKey);
  $('progress').textContent = index < QUESTION_PAGES ? `Step ${index + 1} of ${QUESTION_PAGES}` : 'Done';
  $('back').hidden = index === 0;
  $('next').hidden = pageKey === 'page_done';
  $('next').textContent = index === QUESTION_PAGES - 1 ? 'Finish' : 'Next';
  if (pageKey === 'page_done') renderSummary();
};

/** Shows what a save came to. */
const reportSave = (outcome) => {
  if (outcome.status === 'saved' || outcome.status === 'unchanged') setStatus('Progress saved.');
  // Not an error: the notice says the person carries on on the other device.
  else if (outcome.status === 'continued_elsewhere') setStatus('Not saved here: this flow continued on another device.');
  else if (outcome.status === 'failed') setStatus(`Your progress could not be saved (${outcome.code}).`, 'error');
};

/** On each page change, as Embeddables triggers the save Action. */
const pageChanged = () => {
  showUserData();
  if (!saveAction) return;
  setStatus('Saving…');
  void saveAction(userData(), helperFunctions, { trigger: 'page_change' }).then(reportSave);
};

const pageIsValid = () => {
  for (const el of form.querySelectorAll(`[data-page="${pageKey}"] :is(input, select, textarea)`)) {
    if (!el.checkValidity()) {
      el.reportValidity();
      return false;
    }
  }
  return true;
};

const move = (to) => {
  showPage(to);
  $(`h-${to}`).focus();
  pageChanged();
};

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (pageIsValid()) move(PAGES[PAGES.indexOf(pageKey) + 1]);
});
$('back').addEventListener('click', () => move(PAGES[PAGES.indexOf(pageKey) - 1]));

// "Send me a link" through the public route, as any browser-saves page: session-recovery.js's
// requestLink, on the entry the save Action keeps in localStorage (the same key). The link goes
// on the deployment's event bus for the team's rule to deliver, never back to the page.
// The legacy page has no button (it does not save), so it does not load the client.
const links = legacy
  ? null
  : (await import('/clients/session-recovery.js')).createAutosave({
      apiUrl: config.apiUrl || location.origin,
      projectId: config.projectId,
      flowId: config.flowId,
      listen: false,
    });

$('send-link').addEventListener('click', async () => {
  $('send-link').disabled = true;
  setStatus('Saving…');
  try {
    // The latest answers first, so the link opens on them.
    const saved = await saveAction(userData(), helperFunctions, { trigger: 'button_click' });
    reportSave(saved);
    if (saved.status === 'failed' || saved.status === 'continued_elsewhere') return;
    const to = $('link-email').value.trim();
    const sent = await links.requestLink({ channel: 'email', ...(to ? { to } : {}), resumeUrl: new URL('./', location.href).href });
    $('link-expiry').textContent = new Date(sent.expiresAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
    $('link-box').hidden = false;
    setStatus('Progress saved. Your link is on its way.');
  } catch (error) {
    const why =
      error.code === 'too_many_link_requests'
        ? 'three links were sent in the last hour; try again later'
        : error.code === 'continued_elsewhere'
          ? 'this flow continued on another device'
          : error.message;
    setStatus(`A link could not be sent: ${why}`, 'error');
  } finally {
    $('send-link').disabled = false;
  }
});

// "Continue on your phone": session-recovery.js's handoff, on the same entry. The link comes back to
// the page, as a QR code of its short link; the phone that opens it carries on, and this page stops saving.
$('handoff').addEventListener('click', async () => {
  $('handoff').disabled = true;
  setStatus('Saving…');
  try {
    const saved = await saveAction(userData(), helperFunctions, { trigger: 'button_click' });
    reportSave(saved);
    if (saved.status === 'failed' || saved.status === 'continued_elsewhere') return;
    const shown = await links.handoff({ resumeUrl: new URL('./', location.href).href });
    // Drawn by the qrcode library from the short link: path data only, nothing of the user's.
    $('handoff-code').innerHTML = shown.svg;
    $('handoff-expiry').textContent = new Date(shown.expires_at).toLocaleTimeString('en-GB', { timeStyle: 'short' });
    $('handoff-box').hidden = false;
    setStatus('Progress saved. Scan the code to continue on your phone.');
  } catch (error) {
    if (error.code === 'continued_elsewhere') showNotice(PROBLEMS.continued_elsewhere, 'problem');
    const why = error.code === 'too_many_handoffs' ? 'ten codes were made in the last hour; try again later' : error.message;
    setStatus(error.code === 'continued_elsewhere' ? '' : `A code could not be made: ${why}`, error.code === 'continued_elsewhere' ? '' : 'error');
  } finally {
    $('handoff').disabled = false;
  }
});

$('start-over').addEventListener('click', () => {
  history.replaceState(null, '', location.pathname + (legacy ? '?snippet=legacy' : ''));
  form.reset();
  held = {};
  // The save Action's record of the entry it saves to: the next save starts a new one.
  localStorage.removeItem(`session-recovery:${config.projectId}:${config.flowId}`);
  $('notice').hidden = true;
  $('link-box').hidden = true;
  $('handoff-box').hidden = true;
  setStatus('');
  showPage('page_1');
  showUserData();
  $('h-page_1').focus();
});

if (legacy) {
  $('send-link').hidden = true;
  $('handoff').hidden = true;
  $('link-email-label').hidden = true;
  $('legacy-note').hidden = false;
  // The footer names the one snippet this page runs.
  $('snippet-file').textContent = 'clients/embeddables-action-legacy.js';
  $('save-note').hidden = true;
}

// What Embeddables gives an Action: setUserData, and window.Savvy.goToPage.
const helperFunctions = {
  setUserData(data) {
    const { current_page_key: _page, session_recovery_error: problem, ...rest } = data;
    if (problem === 'continued_elsewhere') {
      showNotice(PROBLEMS.continued_elsewhere, 'problem');
      // Its code was used (or another link was): it opens nothing now.
      $('handoff-box').hidden = true;
    } else if (problem) showNotice(`${PROBLEMS[problem] ?? GENERIC_PROBLEM} You can start over.`, 'problem');
    writeAnswers(rest);
    for (const [name, value] of Object.entries(rest)) if (!FORM_FIELDS.has(name)) held[name] = value;
    showUserData();
  },
};
window.Savvy = {
  goToPage(embeddableId, key) {
    if (embeddableId === config.flowId) showPage(key);
  },
};

/** Loads an Action as Embeddables runs it, and returns its output function. */
const loadAction = (src) =>
  new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve(window.output);
    script.onerror = () => reject(new Error(`${script.src} did not load`));
    document.head.append(script);
  });

showPage('page_1');
const resumeAction = await loadAction(legacy ? 'action-legacy.js' : 'action.js');
// Legacy links carry no save token: a page restored with them cannot save on to the entry.
if (!legacy) saveAction = await loadAction('save-action.js');
if (['token', 'entry_id', 'expires_at'].some((name) => location.search.includes(name))) setStatus('Restoring your answers…');
// On Embeddable Load, as Embeddables triggers it.
const outcome = await resumeAction(userData(), helperFunctions, { trigger: 'embeddable_load' });
if (outcome.status === 'restored') {
  const name = typeof outcome.entry.first_name === 'string' ? `, ${outcome.entry.first_name}` : '';
  showNotice(`Welcome back${name}! Your answers are restored: carry on where you left off.`, 'ok');
}
setStatus('');
showUserData();
document.body.dataset.ready = outcome.status;
