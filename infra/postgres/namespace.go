package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Namespace is the deployment's broker namespace, written by the migrations
// ("" for a database served before namespaces existed: the legacy names).
func Namespace(ctx context.Context, db *sqlx.DB) (string, error) {
	var ns string
	if err := db.GetContext(ctx, &ns, `SELECT namespace FROM deployment`); err != nil {
		return "", fmt.Errorf("read the deployment namespace: %w", err)
	}
	return ns, nil
}
