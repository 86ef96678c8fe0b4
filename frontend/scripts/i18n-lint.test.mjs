import { describe, expect, it } from 'vitest';
import { problems } from './i18n-lint.mjs';

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
