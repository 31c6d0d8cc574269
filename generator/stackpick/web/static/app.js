// The initializr page's behaviour: recommendation and file preview follow the answers, no reload.
// Plain ES module, no build step. Text from the server is set with textContent, never as HTML.

const form = document.getElementById("answers");
const recBody = document.getElementById("recommendation-body");
const treeList = document.getElementById("tree");
const previewStatus = document.getElementById("preview-status");
const formStatus = document.getElementById("form-status");
const stackSelect = document.getElementById("q-stack");

let meta = null;
let labels = {};
let recSeq = 0;
let treeSeq = 0;
let treeTimer = 0;
let invalidKey = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function fields() {
  // What the form would submit, blanks left out (the server then takes the defaults).
  const out = {};
  for (const [key, value] of new FormData(form)) if (value !== "") out[key] = value;
  return out;
}

function decisionAnswers() {
  const all = fields();
  const out = {};
  for (const q of meta.questions) if (q.group === "decision" && q.key in all) out[q.key] = all[q.key];
  return out;
}

function text(value) {
  // An item of unknown shape: a string as is, an object by its text or as JSON.
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof value.text === "string") return value.text;
  return JSON.stringify(value);
}

function sourceLine(reason) {
  const parts = [reason.source, reason.publisher, reason.section].filter((p) => typeof p === "string" && p);
  return parts.length ? "Source: " + parts.join(", ") : null;
}

// Keys shown in their own place; any other key still shows, plainly, so a newer server breaks nothing.
const KNOWN = new Set(["stack", "runner_up", "scores", "margin", "close_call", "close_call_between", "tie_break",
  "reasons", "disagreements", "alternatives"]);

function names(stacks) {
  return stacks.map((s) => labels[s] || s).join(", ");
}

function points(n) {
  return `${n} point${n === 1 ? "" : "s"}`;
}

function renderRecommendation(rec) {
  const body = [];
  const label = labels[rec.stack] || rec.stack;
  body.push(el("p", { class: "verdict", id: "verdict", "data-stack": rec.stack }, "Recommended: ", el("strong", {}, label)));
  if (rec.runner_up) {
    const behind = typeof rec.margin === "number" ? ` (${points(rec.margin)} behind)` : "";
    body.push(el("p", { id: "runner-up" }, `Runner-up: ${labels[rec.runner_up] || rec.runner_up}${behind}`));
  }
  if (rec.close_call) {
    const between = Array.isArray(rec.close_call_between) && rec.close_call_between.length
      ? `between ${names(rec.close_call_between)}` : "";
    const detail = typeof rec.close_call === "object" ? text(rec.close_call)
      : [between, typeof rec.margin === "number" ? `the top two are ${points(rec.margin)} apart` : ""]
        .filter(Boolean).join(": ");
    body.push(el("p", { class: "close-call", id: "close-call" }, el("strong", {}, "Close call"), detail ? " " + detail : ""));
  }
  if (typeof rec.tie_break === "string" && rec.tie_break) {
    body.push(el("p", { id: "tie-break" }, el("strong", {}, "Tie-break: "), rec.tie_break));
  }
  const scores = Object.entries(rec.scores || {}).sort((a, b) => b[1] - a[1]);
  const table = el("table", { id: "scores" }, el("caption", {}, "Scores"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Stack"), el("th", { scope: "col" }, "Score"))));
  const tbody = el("tbody");
  for (const [stack, score] of scores) tbody.append(el("tr", {}, el("th", { scope: "row" }, labels[stack] || stack), el("td", {}, score)));
  table.append(tbody);
  body.push(table);
  if (Array.isArray(rec.reasons) && rec.reasons.length) {
    const list = el("ul", { id: "reasons", class: "reasons" });
    for (const reason of rec.reasons) {
      const stacks = Array.isArray(reason.stacks) ? reason.stacks : [reason.stack];
      list.append(el("li", {},
        el("span", { class: "weight" }, `+${reason.weight} ${names(stacks)}`), " ",
        text(reason),
        sourceLine(reason) ? el("span", { class: "source" }, sourceLine(reason)) : null));
    }
    body.push(el("h3", {}, "Why"), list);
  }
  if (Array.isArray(rec.alternatives) && rec.alternatives.length) {
    const list = el("ul", { id: "alternatives" });
    for (const alt of rec.alternatives) {
      const shown = alt && typeof alt === "object" && typeof alt.text !== "string" && alt.stack
        ? labels[alt.stack] || alt.stack : text(alt);
      list.append(el("li", {}, shown));
    }
    body.push(el("h3", {}, "What would change it"), list);
  }
  if (Array.isArray(rec.disagreements) && rec.disagreements.length) {
    const list = el("ul", { id: "disagreements" });
    for (const item of rec.disagreements) list.append(el("li", {}, text(item)));
    body.push(el("h3", {}, "Where the sources disagree"), list);
  }
  for (const [key, value] of Object.entries(rec)) {
    if (KNOWN.has(key) || value === null || value === undefined) continue;
    body.push(el("p", { class: "extra" }, el("strong", {}, key.replaceAll("_", " ") + ": "), text(value)));
  }
  recBody.replaceChildren(...body);
  stackSelect.options[0].textContent = `The recommendation (${label})`;
}

async function updateRecommendation() {
  const seq = ++recSeq;
  const response = await fetch("/api/recommend", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(decisionAnswers()),
  });
  const data = await response.json();
  if (seq !== recSeq) return;  // a newer answer is already on its way
  if (response.ok) renderRecommendation(data);
  else showError(data);
}

function clearErrors() {
  invalidKey = null;
  for (const node of form.querySelectorAll(".error")) { node.hidden = true; node.textContent = ""; }
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

function showError(data) {
  const target = data.key && document.getElementById(`error-${data.key}`);
  if (target) {
    invalidKey = data.key;
    target.textContent = data.error;
    target.hidden = false;
    const input = document.getElementById(`q-${data.key}`);
    if (input) input.setAttribute("aria-invalid", "true");
  }
  return target;
}

async function updateTree() {
  const seq = ++treeSeq;
  const answers = fields();
  if (!answers.project_name) {
    clearErrors();
    treeList.replaceChildren();
    previewStatus.textContent = "Enter a project name to see the files it will have.";
    return;
  }
  previewStatus.textContent = "Rendering the preview...";
  const response = await fetch("/api/tree", { method: "POST", body: new URLSearchParams(answers) });
  const data = await response.json();
  if (seq !== treeSeq) return;
  clearErrors();
  if (!response.ok) {
    treeList.replaceChildren();
    previewStatus.textContent = showError(data) ? "Fix the answer marked above." : data.error;
    return;
  }
  previewStatus.textContent = `${data.files.length} files in ${data.root}/`;
  treeList.replaceChildren(...data.files.map((f) => el("li", {}, el("code", {}, `${data.root}/${f.path}`))));
}

function scheduleTree() {
  clearTimeout(treeTimer);
  treeTimer = setTimeout(() => updateTree().catch(() => { previewStatus.textContent = "The preview is unavailable."; }), 300);
}

function onChange(event) {
  const key = event.target.name;
  const decision = meta.questions.some((q) => q.key === key && q.group === "decision");
  if (decision) updateRecommendation().catch(() => { recBody.textContent = "The recommendation is unavailable."; });
  scheduleTree();
}

form.addEventListener("change", onChange);
form.addEventListener("input", (event) => { if (event.target.type === "text") scheduleTree(); });
form.addEventListener("submit", (event) => {
  // The browser downloads the archive itself; only a known problem stops it here.
  const name = document.getElementById("q-project_name");
  if (!name.value.trim()) {
    event.preventDefault();
    showError({ key: "project_name", error: "Enter a project name." });
    name.focus();
  } else if (invalidKey) {
    event.preventDefault();
    document.getElementById(`q-${invalidKey}`)?.focus();
  } else {
    formStatus.textContent = "Preparing your download...";
  }
});

meta = await (await fetch("/api/metadata")).json();
labels = Object.fromEntries(meta.stacks.map((s) => [s.id, s.label]));
form.dataset.ready = "true";
await updateRecommendation();
scheduleTree();
