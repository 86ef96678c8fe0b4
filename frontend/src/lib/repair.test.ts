import { afterEach, describe, expect, it } from 'vitest';
import { errorMessage } from './errors';
import { setLocale } from './i18n/index.svelte';

afterEach(() => setLocale('en'));

describe('repair notices', () => {
  const salvaged = {
    code: 'salvaged',
    message: 'The file was damaged; what could be read was saved into a new one.',
    params: {
      file: 'database',
      movedTo: '/home/u/.config/Cecyber/cecyber.db.corrupt-20261206-170000',
      saved: 'alerts=2959,clusters=2,endpoints=4,newtable=1',
      lost: 'alerts=0/1,endpoints=3/0',
    },
  };

  it('says per table what was saved and what was lost', () => {
    expect(errorMessage(salvaged)).toBe(
      'Cecyber’s database was damaged. What could still be read was saved into a new one: alerts: 2,959 rows; ' +
        'clusters: 2 rows; cluster addresses: 4 rows; newtable: 1 row. Lost: alerts: 1 damaged page; ' +
        'cluster addresses: 3 rows that could not be kept. The damaged file is kept as ' +
        '/home/u/.config/Cecyber/cecyber.db.corrupt-20261206-170000.',
    );
    setLocale('pt-BR');
    expect(errorMessage(salvaged)).toContain('O banco de dados do Cecyber estava danificado');
    expect(errorMessage(salvaged)).toContain('clusters: 2 linhas');
    expect(errorMessage(salvaged)).toContain('alertas: 1 página danificada');
  });

  it('says nothing else was lost when nothing was', () => {
    const msg = errorMessage({ ...salvaged, params: { ...salvaged.params, file: 'history', saved: 'raw=10', lost: '' } });
    expect(msg).toContain('The metric history was damaged');
    expect(msg).toContain('recent samples: 10 rows. Nothing else was lost.');
  });

  it('explains a refused log file', () => {
    const msg = errorMessage({
      code: 'walRefused',
      message: 'x',
      params: { file: 'history', movedTo: '/c/metrics.db-wal.refused-1', reason: 'it was written for database 0x1' },
    });
    expect(msg).toBe(
      'A log file next to The metric history belonged to another database, so it was not applied and none of it reached your data. It is kept as /c/metrics.db-wal.refused-1.',
    );
  });
});
