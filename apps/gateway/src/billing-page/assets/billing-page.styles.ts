/**
 * The billing page's stylesheet, embedded as a string so `npm run build` (plain tsc) carries it into dist/
 * and the Docker image without a copy step. Colours are chosen for at least 4.5:1 contrast on their
 * backgrounds (checked by the browser tests); focus is always visible; the layout is one column on a phone.
 */
export const BILLING_PAGE_STYLES = String.raw`
:root {
  --text: #1f2937;
  --muted: #4b5563;
  --bg: #f3f4f6;
  --card: #ffffff;
  --line: #d1d5db;
  --primary: #1d4ed8;
  --primary-dark: #1e3a8a;
  --danger: #b91c1c;
  --danger-dark: #7f1d1d;
  --focus: #b45309;
  --warn-bg: #fef2f2;
  --warn-text: #7f1d1d;
  --pending-bg: #fef3c7;
  --pending-text: #78350f;
  --ok-bg: #ecfdf5;
  --ok-text: #065f46;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--text);
  background: var(--bg);
}
.skip-link {
  position: absolute;
  left: -999px;
  top: 0;
  background: var(--card);
  color: var(--primary);
  padding: 0.5rem 1rem;
}
.skip-link:focus { left: 0.5rem; top: 0.5rem; z-index: 10; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
header.top, main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
header.top {
  display: flex;
  flex-wrap: wrap;
  gap: 0.5rem 1.5rem;
  justify-content: space-between;
  align-items: flex-end;
}
header.top h1 { margin: 0; font-size: 1.75rem; overflow-wrap: anywhere; }
.eyebrow { margin: 0; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; font-size: 0.875rem; }
.who { text-align: right; }
.who p { margin: 0; color: var(--muted); overflow-wrap: anywhere; }
main { display: grid; gap: 1rem; }
main.message { max-width: 36rem; padding-top: 3rem; }
.card {
  background: var(--card);
  border: 1px solid var(--line);
  border-radius: 0.5rem;
  padding: 1rem 1.25rem;
  min-width: 0;
}
.card h2 { margin: 0 0 0.75rem; font-size: 1.25rem; }
h3 { margin: 0; font-size: 1.05rem; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 0.75rem 1.5rem; margin: 0; }
.facts dt { color: var(--muted); font-size: 0.875rem; }
.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.note { color: var(--muted); font-size: 0.9rem; margin: 0.25rem 0; }
td .note { display: block; margin: 0; }
.badge { display: inline-block; font-size: 0.8rem; font-weight: 600; padding: 0.1rem 0.5rem; border-radius: 999px; vertical-align: middle; }
.badge.pending { background: var(--pending-bg); color: var(--pending-text); }
.sync { margin: 0; font-weight: 600; }
.sync:empty { margin-bottom: -1rem; }
.sync.pending { background: var(--pending-bg); color: var(--pending-text); padding: 0.5rem 0.75rem; border-radius: 0.375rem; }
.sync.done { background: var(--ok-bg); color: var(--ok-text); padding: 0.5rem 0.75rem; border-radius: 0.375rem; }
.error { background: var(--warn-bg); color: var(--warn-text); border: 1px solid var(--danger); border-radius: 0.375rem; padding: 0.5rem 0.75rem; }
.banner { background: var(--warn-bg); color: var(--warn-text); border: 2px solid var(--danger); border-radius: 0.5rem; padding: 1rem 1.25rem; }
.banner h2 { margin: 0 0 0.25rem; font-size: 1.25rem; }
.banner p { margin: 0 0 0.75rem; }
.banner .note { color: var(--warn-text); }
.banner.info { background: var(--pending-bg); color: var(--pending-text); border-color: var(--pending-text); }
.banner.info .note { color: var(--pending-text); }
.stack { display: grid; gap: 0.75rem; padding: 1rem 0; border-top: 1px solid var(--line); }
.stack:first-of-type { border-top: 0; padding-top: 0; }
.field { display: grid; gap: 0.25rem; max-width: 24rem; }
label { font-weight: 600; }
fieldset { border: 1px solid var(--line); border-radius: 0.375rem; margin: 0; padding: 0.5rem 0.75rem 0.75rem; min-width: 0; }
legend { font-weight: 600; padding: 0 0.25rem; }
fieldset.inline label { display: inline-flex; align-items: center; gap: 0.4rem; margin-right: 1.25rem; min-height: 2.75rem; }
.choice { display: flex; gap: 0.6rem; align-items: flex-start; padding: 0.4rem 0; }
.choice input { margin-top: 0.3rem; flex: none; }
.choice label { display: inline-block; min-height: 1.75rem; }
.choice .note { margin: 0; }
input[type="radio"] { width: 1.15rem; height: 1.15rem; accent-color: var(--primary); }
select {
  font: inherit;
  color: var(--text);
  background: var(--card);
  border: 1px solid #6b7280;
  border-radius: 0.375rem;
  min-height: 2.75rem;
  padding: 0.4rem 0.6rem;
}
button {
  font: inherit;
  font-weight: 600;
  min-height: 2.75rem;
  padding: 0.5rem 1rem;
  border-radius: 0.375rem;
  border: 1px solid #6b7280;
  background: var(--card);
  color: var(--text);
  cursor: pointer;
  justify-self: start;
}
button:hover { background: #e5e7eb; }
button.primary { background: var(--primary); border-color: var(--primary); color: #ffffff; }
button.primary:hover { background: var(--primary-dark); }
button.danger { background: var(--danger); border-color: var(--danger); color: #ffffff; }
button.danger:hover { background: var(--danger-dark); }
button.link { background: none; border: 0; padding: 0; min-height: 2.75rem; color: var(--primary); text-decoration: underline; }
button[disabled] { background: #e5e7eb; border-color: #9ca3af; color: #374151; cursor: not-allowed; }
a { color: var(--primary); }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; }
caption { text-align: left; color: var(--muted); font-size: 0.9rem; padding-bottom: 0.25rem; }
th, td { text-align: left; padding: 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 0.875rem; color: var(--muted); }
.num { text-align: right; white-space: nowrap; }
td.when { white-space: nowrap; }
ul.plain { list-style: none; margin: 0; padding: 0; columns: 2 16rem; }
ul.plain li { padding: 0.15rem 0; overflow-wrap: anywhere; }
dialog {
  border: 1px solid var(--line);
  border-radius: 0.5rem;
  padding: 1.25rem;
  max-width: min(36rem, calc(100vw - 2rem));
  width: 100%;
  color: var(--text);
  background: var(--card);
}
dialog::backdrop { background: rgba(17, 24, 39, 0.6); }
dialog h2 { margin-top: 0; font-size: 1.25rem; }
.buttons { display: flex; flex-wrap: wrap; gap: 0.75rem; margin-top: 1rem; }
@media (max-width: 40rem) {
  header.top { align-items: flex-start; }
  .who { text-align: left; }
  header.top h1 { font-size: 1.4rem; }
  .card { padding: 0.875rem; }
  .buttons button, .stack > button { width: 100%; }
  /* Tables become labelled rows: no sideways scrolling on a phone. */
  .stacked thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .stacked tr { display: block; padding: 0.5rem 0; border-bottom: 1px solid var(--line); }
  .stacked td { display: grid; grid-template-columns: 6.5rem 1fr; gap: 0.5rem; border: 0; padding: 0.15rem 0; text-align: left; white-space: normal; }
  .stacked td::before { content: attr(data-label); color: var(--muted); font-size: 0.875rem; }
  .stacked td .note { grid-column: 2; }
}
`;
