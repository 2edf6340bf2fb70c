// A server-rendered page with the element: the client component above, and the class entry imported
// by the server component itself.
import { BcCustomerGate } from 'bc-customer-gate/element';
import { Gate } from './gate.js';

export const dynamic = 'force-dynamic';

export default function Page() {
  return (
    <main data-class={typeof BcCustomerGate}>
      <Gate />
    </main>
  );
}
