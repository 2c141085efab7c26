/** Assertions shared by the integration tests. */
import assert from 'node:assert/strict';
import { IntegrationError, type Vendor } from '../../integrations/index.js';

/** For assert.rejects/throws: an IntegrationError of this vendor with this code and transience. */
export function integrationError(vendor: Vendor, code: string, transient: boolean): (err: unknown) => true {
  return (err: unknown) => {
    assert.ok(err instanceof IntegrationError, `an IntegrationError, got ${String(err)}`);
    assert.equal(err.vendor, vendor);
    assert.equal(err.code, code);
    assert.equal(err.transient, transient);
    return true;
  };
}

/** The entries a test added to a recording list since it noted its length. */
export function since<T>(list: T[], from: number): T[] {
  return list.slice(from);
}
