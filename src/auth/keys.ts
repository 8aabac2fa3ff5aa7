import type { KeyObject } from 'node:crypto';

/** The one asymmetric algorithm a key serves: RS256 for RSA, ES256 for EC P-256; else undefined. */
export function asymmetricAlgorithm(key: KeyObject): 'RS256' | 'ES256' | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  return undefined;
}
