import { afterEach, describe, expect, it } from 'vitest';
import { errorMessage, hostOf, INVALID_REASONS, portOf } from './errors';
import { setLocale } from './i18n/index.svelte';
import { ERROR_CODES } from './types';

afterEach(() => setLocale('en'));

describe('errorMessage', () => {
  it('fills the host from the endpoint', () => {
    expect(errorMessage({ code: 'unreachable', message: 'dial tcp' }, hostOf('https://pve1.lan:8006'))).toBe(
      'Cannot reach pve1.lan. Check the address and that port 8006 is open.',
    );
  });

  it('names the port the cluster is reached on, not always 8006', () => {
    const err = { code: 'unreachable', message: 'dial tcp', params: { host: '127.0.0.1:38441' } };
    expect(errorMessage(err)).toBe('Cannot reach 127.0.0.1:38441. Check the address and that port 38441 is open.');
    setLocale('pt-BR');
    expect(errorMessage(err)).toBe(
      'Não foi possível alcançar 127.0.0.1:38441. Verifique o endereço e se a porta 38441 está aberta.',
    );
    expect(portOf('[fd00::5]:9443')).toBe('9443');
    expect(portOf('pve1.example.com:443')).toBe('443');
    expect(portOf('pve1.example.com')).toBe('8006');
    expect(portOf('fd00::5')).toBe('8006');
  });

  it('prefers the params the backend sent', () => {
    const err = {
      code: 'fingerprint',
      message: 'x',
      params: { host: 'pve5.example.com', expected: 'AB:CD', actual: 'EF:01' },
    };
    expect(errorMessage(err, 'ignored')).toBe(
      'The certificate of pve5.example.com changed or does not match the one you trusted. Expected AB:CD, got EF:01. Do not continue unless you renewed the certificate.',
    );
    setLocale('pt-BR');
    expect(errorMessage(err)).toContain('Esperado AB:CD, recebido EF:01');
  });

  it('names the address a loopback-only session refused', () => {
    const err = { code: 'notloopback', message: 'x', params: { addr: '192.0.2.12:8006' } };
    expect(errorMessage(err)).toBe(
      'Refused to connect to 192.0.2.12:8006: this session only connects to this machine (the demo cluster and the tests stay on loopback).',
    );
    setLocale('pt-BR');
    expect(errorMessage(err)).toContain('Conexão com 192.0.2.12:8006 recusada');
  });

  it('says why Cecyber refused a value, in both locales', () => {
    const err = { code: 'invalid', message: 'x', params: { field: 'points', reason: 'outOfRange', min: '1', max: '8000' } };
    expect(errorMessage(err)).toBe('Cecyber refused a number outside the range it accepts (1 to 8000).');
    setLocale('pt-BR');
    expect(errorMessage(err)).toBe('O Cecyber recusou um número fora do intervalo aceito (1 a 8000).');
    for (const locale of ['en', 'pt-BR'] as const) {
      setLocale(locale);
      for (const reason of INVALID_REASONS) {
        const text = errorMessage({ code: 'invalid', message: 'x', params: { field: 'f', reason, max: '9' } });
        expect(text).not.toMatch(/[{}]|error\.invalid/);
      }
    }
    setLocale('en');
    expect(errorMessage({ code: 'invalid', message: 'x', params: { reason: 'other' } })).toBe(
      'Proxmox rejected the request as invalid.',
    );
  });

  it('translates every code in both locales without leftover placeholders', () => {
    for (const locale of ['en', 'pt-BR'] as const) {
      setLocale(locale);
      for (const code of ERROR_CODES) {
        const text = errorMessage({ code, message: 'm' }, 'pve');
        expect(text, `${locale} ${code}`).not.toMatch(/\{\w+\}/);
      }
    }
  });

  it('shows the English message for an unknown code', () => {
    expect(errorMessage({ code: 'weird', message: 'disk on fire' })).toBe('Unexpected error: disk on fire');
  });

  it('says "the server" when no host is known', () => {
    setLocale('pt-BR');
    expect(errorMessage({ code: 'timeout', message: '' })).toMatch(/^o servidor não respondeu/);
  });
});

describe('hostOf', () => {
  it('takes the hostname of a URL and passes other text through', () => {
    expect(hostOf('https://[::1]:8006')).toBe('[::1]');
    expect(hostOf('pve.example.com')).toBe('pve.example.com');
  });
});
