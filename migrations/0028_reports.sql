-- Reports count attendances by when they opened and when they closed;
-- these indexes keep a range over either a short index scan.
CREATE INDEX attendances_opened ON attendances (opened_at);
CREATE INDEX attendances_closed ON attendances (closed_at) WHERE closed_at IS NOT NULL;
