import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { glossaryProblems, problems } from './i18n-lint.mjs';
import { en } from '../src/lib/i18n/en';
import { ptBR } from '../src/lib/i18n/pt-BR';

const check = (src) => problems('/x/Comp.svelte', src);

describe('i18n-lint', () => {
  it('flags literal words in markup and in attributes the user reads', () => {
    const found = check('<script>let n = 1;</script>\n<p>Start the VM</p>\n<button title="Close it">{t("x")}</button>');
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/Comp.svelte:2: text "Start the VM"/);
    expect(found[1]).toMatch(/title= "Close it"/);
  });

  it('passes translated text, code, example values, names and styles', () => {
    expect(check([
      '<p>{t("a")} <code>pvenode cert info</code> <kbd>Ctrl</kbd></p>',
      '<input placeholder="pve1.example.com:8006" />',
      '<span>Cecyber</span> <span>·</span> <span>{n} %</span>',
      '<div style:transform="translateY({y}px)" class="row wide"></div>',
      '<style>p { color: red; }</style>',
    ].join('\n'))).toEqual([]);
  });
});

describe('i18n-lint glossary', () => {
  const glossary = JSON.parse(readFileSync(new URL('../src/lib/i18n/glossary.json', import.meta.url), 'utf8'));
  const g = { terms: [{ en: 'Status', 'pt-BR': 'Status', forbidden: ['Estado'] }, { en: 'Online', 'pt-BR': 'Online', forbidden: ['on-line'] }] };

  it('flags a forbidden variant anywhere and a term translated otherwise', () => {
    const found = glossaryProblems(
      { a: 'Status', b: '{n} online', c: 'The state' },
      { a: 'Estado', b: '{n} on-line', c: 'O estado' },
      g,
    );
    expect(found).toHaveLength(4);
    expect(found.join('\n')).toMatch(/a: "Estado" for "Status"/);
    expect(found.join('\n')).toMatch(/b: "\{n\} on-line" says "on-line"/);
  });

  it('matches whole words only, outside {placeholders}', () => {
    expect(glossaryProblems({ a: 'x' }, { a: 'Estadodo e status' }, g)).toEqual([]);
    expect(glossaryProblems({ a: 'x' }, { a: '{estado} e status' }, g)).toEqual([]);
  });

  it('holds pt-BR to the glossary: one term per concept', () => {
    expect(glossaryProblems(en, ptBR, glossary)).toEqual([]);
    expect(ptBR['action.reset']).not.toBe('Reset');
    expect(ptBR['guest.uptime']).toBe(ptBR['col.uptime']);
    expect(ptBR['live.status']).toBe(ptBR['col.status']);
  });
});
