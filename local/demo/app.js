// The demo's "Embeddable": a three-page questionnaire that saves the entry as the
// user moves on, mints a resume link on request, and restores from a link by
// running the real Action snippet (served as action.js, configured for this
// demo) with the two helpers Embeddables gives an Action.

const PAGES = ['page_1', 'page_2', 'page_3', 'page_done'];
const QUESTION_PAGES = 3;

// What the user reads when a link cannot restore their answers, by error code.
const PROBLEMS = {
  token_expired: 'This link has expired, so your saved answers cannot be opened with it.',
  invalid_token: 'This link is not valid any more. It may have been changed, or withdrawn.',
  link_revoked: 'This link is not valid any more. It may have been changed, or withdrawn.',
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

const newEntryId = () =>
  `entry_demo_${Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('')}`;

let entryId = newEntryId();
let pageKey = 'page_1';

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

/** Calls an admin route of the API. In production your backend makes these calls. */
const api = async (method, path, body) => {
  const res = await fetch(`${config.apiUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(data?.error?.message ?? `HTTP ${res.status}`);
  return data;
};

/** Saves the answers and the page the user is on, so a link resumes there. */
const save = async (currentPageKey) => {
  setStatus('Saving…');
  try {
    await api('PUT', `/v1/entries/${encodeURIComponent(entryId)}`, {
      project_id: config.projectId,
      flow_id: config.flowId,
      current_page_key: currentPageKey,
      user_data: readAnswers(),
    });
    setStatus('Progress saved.');
    return true;
  } catch (error) {
    setStatus(`Your progress could not be saved: ${error.message}`, 'error');
    return false;
  }
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

const move = async (to) => {
  $('next').disabled = $('back').disabled = true;
  await save(to);
  $('next').disabled = $('back').disabled = false;
  showPage(to);
  $(`h-${to}`).focus();
};

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (pageIsValid()) void move(PAGES[PAGES.indexOf(pageKey) + 1]);
});
$('back').addEventListener('click', () => void move(PAGES[PAGES.indexOf(pageKey) - 1]));

$('send-link').addEventListener('click', async () => {
  $('send-link').disabled = true;
  try {
    if (!(await save(pageKey))) return;
    const link = await api('POST', '/v1/tokens', {
      project_id: config.projectId,
      entry_id: entryId,
      resume_url: new URL('./', location.href).href,
    });
    $('resume-link').href = link.url;
    $('resume-link').textContent = link.url;
    $('link-expiry').textContent = new Date(link.expires_at).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
    $('link-box').hidden = false;
    setStatus('Progress saved. Your link is ready.');
  } catch (error) {
    setStatus(`A link could not be created: ${error.message}`, 'error');
  } finally {
    $('send-link').disabled = false;
  }
});

$('start-over').addEventListener('click', () => {
  history.replaceState(null, '', location.pathname + (legacy ? '?snippet=legacy' : ''));
  form.reset();
  entryId = newEntryId();
  $('notice').hidden = true;
  $('link-box').hidden = true;
  setStatus('');
  showPage('page_1');
  $('h-page_1').focus();
});

if (legacy) {
  $('send-link').hidden = true;
  $('legacy-note').hidden = false;
  // The footer names the one snippet this page runs.
  $('snippet-file').textContent = 'clients/embeddables-action-legacy.js';
  $('mint-note').hidden = true;
}

// What Embeddables gives an Action: setUserData, and window.Savvy.goToPage.
const helperFunctions = {
  setUserData(data) {
    const { entry_id: restoredEntryId, current_page_key: _page, session_recovery_error: problem, ...answers } = data;
    // Saving again on this device updates the same entry.
    if (typeof restoredEntryId === 'string') entryId = restoredEntryId;
    if (problem) showNotice(`${PROBLEMS[problem] ?? GENERIC_PROBLEM} You can start over.`, 'problem');
    writeAnswers(answers);
  },
};
window.Savvy = {
  goToPage(embeddableId, key) {
    if (embeddableId === config.flowId) showPage(key);
  },
};

showPage('page_1');
await new Promise((resolve, reject) => {
  const script = document.createElement('script');
  script.src = legacy ? 'action-legacy.js' : 'action.js';
  script.onload = resolve;
  script.onerror = () => reject(new Error(`${script.src} did not load`));
  document.head.append(script);
});
if (['token', 'entry_id', 'expires_at'].some((name) => location.search.includes(name))) setStatus('Restoring your answers…');
// On Embeddable Load, as Embeddables triggers it.
const outcome = await window.output(readAnswers(), helperFunctions, { trigger: 'embeddable_load' });
if (outcome.status === 'restored') {
  const name = typeof outcome.entry.first_name === 'string' ? `, ${outcome.entry.first_name}` : '';
  showNotice(`Welcome back${name}! Your answers are restored: carry on where you left off.`, 'ok');
}
setStatus('');
document.body.dataset.ready = outcome.status;
