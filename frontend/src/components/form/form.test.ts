// @vitest-environment happy-dom
// The shared form controls: what they render for a field that is fine and
// one in error, how their values flow back, and how they name their help
// and error for assistive tech.
import { createRawSnippet, flushSync, mount, unmount, type Component } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reactiveProps } from '../../test/props.svelte';
import Checkbox from './Checkbox.svelte';
import FieldError from './FieldError.svelte';
import SelectField from './SelectField.svelte';
import TextField from './TextField.svelte';
import Toggle from './Toggle.svelte';
import UnitField from './UnitField.svelte';

let component: ReturnType<typeof mount> | null = null;

function render<P extends Record<string, any>>(C: Component<P, any, any>, props: P) {
  component = mount(C, { target: document.body, props });
  flushSync();
}

const q = <T extends Element = HTMLElement>(sel: string) => document.querySelector<T>(sel)!;
const text = (s: string) => createRawSnippet(() => ({ render: () => `<span>${s}</span>` }));

function type(input: HTMLInputElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

afterEach(() => {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = '';
});

describe('FieldError', () => {
  it('is always there, testid and field on the span itself', () => {
    const props = reactiveProps({ id: 'e', text: '', testid: 'rule-error', field: 'clear', detail: 'Go said no' });
    render(FieldError, props);
    const span = q('.field-error');
    expect(span.dataset).toMatchObject({ testid: 'rule-error', field: 'clear' });
    expect(span.textContent).toBe('');
    props.text = 'Too high';
    flushSync();
    expect(span.textContent).toBe('Too high');
    expect(span.title).toBe('Go said no');
  });

  it('shows the inner testid only while there is an error', () => {
    const props = reactiveProps({ id: 'field-error-name', text: '', shownTestid: 'field-error-name' });
    render(FieldError, props);
    expect(q('.field-error').id).toBe('field-error-name');
    expect(document.querySelector('[data-testid="field-error-name"]')).toBeNull();
    props.text = 'Give the cluster a name.';
    flushSync();
    expect(q('[data-testid="field-error-name"]').textContent).toBe('Give the cluster a name.');
  });
});

describe('UnitField', () => {
  it('binds the text, shows the unit, help and error, and marks the input invalid', () => {
    const props = reactiveProps({
      id: 'f-trigger',
      label: 'Trigger',
      value: '90',
      unit: '%',
      unitTestid: 'rule-unit',
      testid: 'rule-trigger',
      help: 'Percent of the guest',
      error: '',
      errorTestid: 'rule-error',
      field: 'trigger',
    });
    render(UnitField, props);
    const input = q<HTMLInputElement>('[data-testid="rule-trigger"]');
    expect(q<HTMLLabelElement>('label').htmlFor).toBe('f-trigger');
    expect(input.value).toBe('90');
    expect(input.inputMode).toBe('decimal');
    expect(input.getAttribute('aria-describedby')).toBe('f-trigger-error f-trigger-help');
    expect(q('[data-testid="rule-unit"]').textContent).toBe('%');
    expect(q('#f-trigger-help').textContent).toBe('Percent of the guest');
    type(input, '0,5');
    expect(props.value).toBe('0,5');
    expect(input.getAttribute('aria-invalid')).toBe('false');
    props.error = 'Not a number';
    flushSync();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(q('#f-trigger-error').textContent).toBe('Not a number');
  });
});

describe('SelectField', () => {
  it('lists the options, reports a change, and shows its error', () => {
    const onchange = vi.fn();
    render(SelectField, {
      id: 's',
      label: 'Language',
      value: 'en',
      testid: 'settings-language',
      options: [
        { value: '', label: 'System', disabled: true },
        { value: 'en', label: 'English', lang: 'en' },
        { value: 'pt-BR', label: 'Português (Brasil)', lang: 'pt-BR' },
      ],
      help: 'Applies at once',
      error: 'Unknown language',
      errorTestid: 'settings-error',
      field: 'language',
      onchange,
    });
    const select = q<HTMLSelectElement>('select');
    expect([...select.options].map((o) => [o.value, o.disabled, o.lang])).toEqual([
      ['', true, ''],
      ['en', false, 'en'],
      ['pt-BR', false, 'pt-BR'],
    ]);
    expect(select.value).toBe('en');
    expect(select.getAttribute('aria-invalid')).toBe('true');
    expect(q('.help').textContent).toBe('Applies at once');
    expect(q('[data-testid="settings-error"][data-field="language"]').textContent).toBe('Unknown language');
    select.value = 'pt-BR';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    expect(onchange).toHaveBeenCalledWith('pt-BR');
  });
});

describe('TextField', () => {
  it('passes input attributes through and names help and error', () => {
    const props = reactiveProps({
      id: 'wizard-token-id',
      label: 'Token',
      value: '',
      inputClass: 'mono',
      'data-testid': 'wizard-token-id',
      placeholder: 'user@realm!tokenid',
      help: 'Written as user@realm!tokenid',
      helpId: 'wizard-token-help',
      error: '',
      errorId: 'field-error-tokenId',
      errorShownTestid: 'field-error-tokenId',
    });
    render(TextField, props);
    const input = q<HTMLInputElement>('[data-testid="wizard-token-id"]');
    expect(input.type).toBe('text');
    expect(input.classList.contains('mono')).toBe(true);
    expect(input.placeholder).toBe('user@realm!tokenid');
    expect(input.getAttribute('aria-describedby')).toBe('wizard-token-help field-error-tokenId');
    type(input, 'root@pam!x');
    expect(props.value).toBe('root@pam!x');
  });

  it('has no error line or aria-invalid when it cannot be wrong', () => {
    render(TextField, { id: 'edit-secret', type: 'password', label: 'Secret', value: '', help: 'Kept in the keychain' });
    const input = q<HTMLInputElement>('#edit-secret');
    expect(input.type).toBe('password');
    expect(input.hasAttribute('aria-invalid')).toBe(false);
    expect(input.getAttribute('aria-describedby')).toBe('edit-secret-help');
    expect(document.querySelector('.field-error')).toBeNull();
  });

  it('renders what it is given after the input (a datalist)', () => {
    render(TextField, { id: 'g', label: 'Guest', value: '', list: 'g-list', error: '', children: text('suggestions') });
    expect(q('input').getAttribute('list')).toBe('g-list');
    expect(q('input').nextElementSibling?.textContent).toBe('suggestions');
  });
});

describe('Checkbox and Toggle', () => {
  it('binds a checkbox and keeps its label text beside it', () => {
    const props = reactiveProps({ checked: false, testid: 'keep-history', class: 'confirm', children: text('Keep history') });
    render(Checkbox, props);
    const box = q<HTMLInputElement>('[data-testid="keep-history"]');
    expect(q('label').className).toContain('checkbox');
    expect(q('label').className).toContain('confirm');
    expect(q('label').textContent).toBe('Keep history');
    box.click();
    flushSync();
    expect(props.checked).toBe(true);
  });

  it('reports a switch flip without owning the value', () => {
    const onchange = vi.fn();
    render(Toggle, { checked: true, label: 'Rule CPU on', testid: 'rule-enabled', onchange });
    const sw = q<HTMLInputElement>('[data-testid="rule-enabled"]');
    expect(sw.getAttribute('role')).toBe('switch');
    expect(sw.getAttribute('aria-label')).toBe('Rule CPU on');
    expect(sw.checked).toBe(true);
    sw.click();
    expect(onchange).toHaveBeenCalledWith(false);
  });
});
