// i18n-lint fails when a component shows text that does not go through the
// translation layer: a literal word in the markup, or in an attribute the
// user reads (title, placeholder, aria-label, alt…). Proper names that are
// the same in every language are allowed below. It also holds pt-BR to its
// glossary (src/lib/i18n/glossary.json): one term per concept.
//
//   node scripts/i18n-lint.mjs [files…]   (default: every src/**/*.svelte)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'svelte/compiler';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Attributes whose value the user reads or hears. */
const READ = new Set(['title', 'placeholder', 'alt', 'label', 'aria-label', 'aria-description',
  'aria-placeholder', 'aria-roledescription', 'aria-valuetext']);

/** Names and symbols that are not translated. */
const ALLOWED = new Set(['Cecyber', 'Proxmox', 'Proxmox VE', 'noVNC', 'VNC', 'Wails', 'Go', 'MIT',
  'Ctrl', 'Alt', 'Del', 'Ctrl+Alt+Del', 'Esc', 'Enter', 'Tab', 'Shift', 'PNG', 'CSV', 'URL', 'ID', 'VMID',
  'pveum', 'pvenode', 'UTC', 'B/s', 'MB', 'MiB', 'GB', 'GiB', 'ms', 's', 'px', 'en', 'pt-BR',
  'English', 'Português (Brasil)', 'US', 'ABNT2', 'SHA-256']);

const WORD = /\p{L}{2,}/u;
/** An example value (a host, a token ID): no spaces, some punctuation of its own. */
const TECHNICAL = /^[^\s]*[.@!:\/_-][^\s]*$/;
/** Elements whose text is code, commands or keys, shown as typed. */
const CODE = new Set(['code', 'kbd', 'pre', 'samp']);

function svelteFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...svelteFiles(p));
    else if (name.endsWith('.svelte')) out.push(p);
  }
  return out;
}

function lineOf(src, offset) {
  return src.slice(0, offset).split('\n').length;
}

/** problems returns "file:line: text" for every untranslated text in one component. */
export function problems(file, src) {
  const ast = parse(src, { modern: true, filename: file });
  const found = [];
  const report = (node, text, where) => {
    const s = text.replace(/\s+/g, ' ').trim();
    if (!s || !WORD.test(s) || ALLOWED.has(s) || TECHNICAL.test(s)) return;
    found.push(`${path.relative(root, file)}:${lineOf(src, node.start)}: ${where} "${s}" is not translated; use t('…')`);
  };
  const walk = (node) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node.type === 'Text' && node.data !== undefined && !node.__attr) {
      report(node, node.data, 'text');
    }
    if (node.type === 'Attribute' && READ.has(node.name) && Array.isArray(node.value)) {
      for (const v of node.value) {
        if (v.type === 'Text') {
          v.__attr = true;
          report(v, v.data, `${node.name}=`);
        }
      }
    }
    if (node.type !== 'Attribute' && node.type !== 'RegularElement' && Array.isArray(node.value)) {
      for (const v of node.value) if (v.type === 'Text') v.__attr = true; // style:, class: and the like
    }
    if (node.type === 'Attribute' && Array.isArray(node.value)) {
      for (const v of node.value) if (v.type === 'Text') v.__attr = true;
    }
    if (node.type === 'Comment' || node.type === 'Script' || node.type === 'StyleSheet') return;
    if (node.type === 'RegularElement' && CODE.has(node.name)) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'parent' || k === 'metadata' || k === 'instance' || k === 'module' || k === 'css') continue;
      if (v && typeof v === 'object') walk(v);
    }
  };
  walk(ast.fragment);
  return found;
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * glossaryProblems checks a dictionary against the glossary: no message
 * holds a forbidden variant (a whole word or phrase, any case), and a
 * message whose English is exactly a term is exactly that term's
 * translation (any case: column headers are upper-cased by CSS).
 */
export function glossaryProblems(en, dict, glossary, locale = 'pt-BR') {
  const found = [];
  for (const term of glossary.terms) {
    const chosen = term[locale];
    for (const variant of term.forbidden ?? []) {
      const re = new RegExp(`(^|[^\\p{L}-])${escapeRe(variant)}($|[^\\p{L}-])`, 'iu');
      for (const [key, text] of Object.entries(dict)) {
        // {placeholders} are names for code, not words the user reads.
        if (re.test(text.replace(/\{[^}]*\}/g, ' '))) found.push(`${locale} ${key}: "${text}" says "${variant}"; the glossary's term for "${term.en}" is "${chosen}"`);
      }
    }
    for (const [key, english] of Object.entries(en)) {
      const text = dict[key];
      if (english.toLowerCase() === term.en.toLowerCase() && text !== undefined && text.toLowerCase() !== chosen.toLowerCase()) {
        found.push(`${locale} ${key}: "${text}" for "${english}"; the glossary's term is "${chosen}"`);
      }
    }
  }
  return found;
}

/** loadDictionary imports a locale's .ts module (types erased by TypeScript) and returns its export. */
async function loadDictionary(file, name) {
  const ts = (await import('typescript')).default;
  const js = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const mod = await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`);
  return mod[name];
}

const args = process.argv.slice(2);
if (import.meta.url === `file://${process.argv[1]}`) {
  const files = args.length ? args.map((f) => path.resolve(f)) : svelteFiles(path.join(root, 'src'));
  const all = files.flatMap((f) => problems(f, readFileSync(f, 'utf8')));
  const i18n = path.join(root, 'src', 'lib', 'i18n');
  const glossary = JSON.parse(readFileSync(path.join(i18n, 'glossary.json'), 'utf8'));
  const en = await loadDictionary(path.join(i18n, 'en.ts'), 'en');
  const ptBR = await loadDictionary(path.join(i18n, 'pt-BR.ts'), 'ptBR');
  all.push(...glossaryProblems(en, ptBR, glossary));
  if (all.length) {
    console.error(all.join('\n'));
    console.error(`i18n-lint: ${all.length} untranslated text(s) in components or pt-BR term(s) off the glossary`);
    process.exit(1);
  }
  console.log(`i18n-lint: ${files.length} components, every visible text translated; pt-BR follows the glossary (${glossary.terms.length} terms)`);
}
