// The console and power items of a guest's menu, with why each is disabled.
// The table's row menu, the alert banner and the alerts page share it, so
// permissions and confirmations are the same everywhere.

import type { MenuItem } from '../components/Menu.svelte';
import { actionsFor } from './actions';
import { consoles } from './consoles.svelte';
import { actionLabel, consoleReasonText, reasonText } from './describe';
import type { GuestRow } from './guests';
import { t } from './i18n/index.svelte';
import { operations } from './operations.svelte';

/** The console item, then every power action the guest's type has. */
export function guestMenuItems(row: GuestRow, withConsole = true): MenuItem[] {
  const items: MenuItem[] = [];
  if (withConsole) {
    const consoleWhy = operations.consoleReason(row);
    items.push({
      id: 'console',
      label: t('console.open'),
      testid: 'action-console',
      disabled: !!consoleWhy,
      reason: consoleWhy ? consoleReasonText(consoleWhy) : undefined,
      onselect: () => consoles.open({ ...row, running: true }),
    });
  }
  for (const action of actionsFor(row.type)) {
    const why = operations.reason(row, action);
    items.push({
      id: action,
      label: actionLabel(action),
      testid: `action-${action}`,
      disabled: !!why,
      reason: why ? reasonText(why, action) : undefined,
      danger: action === 'stop' || action === 'reset',
      onselect: () => operations.request(action, [row]),
    });
  }
  return items;
}
