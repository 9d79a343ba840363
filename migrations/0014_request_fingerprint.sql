-- The fingerprint of the request that made a message, kept beside its
-- Idempotency-Key: the same key with another request is refused (422)
-- instead of silently answering with the first message. NULL for messages
-- stored before, which match any request.
ALTER TABLE messages ADD COLUMN request_fingerprint text;
