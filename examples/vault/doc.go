// Package vault is the demo's personal password manager, whose secrets no
// dump of the database reveals.
//
// Entries (title, user name, password, web addresses, notes, a TOTP
// secret, folder, tags, favourite, custom fields) live in an owner-scoped
// collection: the store adds the current user to every read and write, so
// no handler filters by user and another user's entry is 404 like one that
// does not exist.
//
// # Encryption at rest
//
// Envelope encryption. Each user has a random 256-bit data key, made on
// first use and stored wrapped (AES-256-GCM, the user's id as associated
// data) by the newest master key of WEBOS_VAULT_MASTER_KEYS. The secret
// fields — password, notes, TOTP secret and custom fields marked secret —
// are sealed with AES-256-GCM under a subkey of the data key, with a fresh
// random nonce each time and the entry's id and the field's name as
// associated data: a ciphertext changed, or moved to another entry or
// field, does not open. Titles, user names, web addresses, folders and
// tags stay in the clear, so that lists and searches need no key. The
// health report finds reused passwords by comparing keyed hashes
// (HMAC-SHA256 under another subkey of the data key), never plaintext.
//
// Secrets are never logged, never part of an error, never in the palette
// or a search, and never sent to the browser until the user reveals or
// copies one (GET /vault/api/entries/{id}/secrets/{field}, not cached).
//
// Master keys are rotated by putting a new key first in
// WEBOS_VAULT_MASTER_KEYS and running the "vault.rotate" task
// ([Module.Rotate], or POST /tasks/vault.rotate with [PermRotate]), which
// re-wraps every data key under it with progress; the old key can then be
// removed. Outside production, with no key configured, a development key
// is made once in the data folder.
//
// # A passphrase of one's own
//
// Optionally ([Module.SetPassphrase], the Passphrase page), a user's data
// key is sealed first under a key derived from a passphrase with Argon2id
// (64 MiB, 3 passes by default), so that even the database together with
// the master keys opens nothing. The vault is then unlocked with the
// passphrase ([Module.Unlock]) for the instance that served the request,
// locks itself after WEBOS_VAULT_IDLE_LOCK unused and is locked on demand;
// five wrong passphrases in a row pause unlocking for 30 seconds. Locked,
// the list (titles, web addresses) still shows; no secret opens and new
// entries cannot be sealed ([ErrLocked], 403). An instance keeps an
// unprotected data key in memory for WEBOS_VAULT_KEY_CACHE_TTL (5 min),
// so a passphrase set on one instance takes that long to bind the others.
// A forgotten passphrase cannot be recovered.
//
// # The rest
//
// A generator of passwords and EFF-wordlist passphrases with their
// entropy ([Generate]); live TOTP codes (RFC 6238, [TOTP]); a password
// health report (weak, reused, old, breached); import of Bitwarden and
// KeePass CSV exports and export as Bitwarden CSV, both streamed; and an
// optional breach check with the k-anonymity range protocol of Have I Been
// Pwned against WEBOS_VAULT_BREACH_URL, off by default.
package vault
