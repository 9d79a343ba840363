package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strings"
	"syscall"

	"github.com/lib/pq"

	"github.com/zapgate/zapgate/domain"
)

// translate returns err as domain.Unavailable("database", err) when it says
// the database is out of reach (refused or dropped connections, timeouts, a
// server shutting down), so callers and the HTTP layer see a kind, never a
// driver code. Other errors are returned as they are.
func translate(err error) error {
	if err == nil || domain.KindOf(err) == domain.KindUnavailable || !unreachable(err) {
		return err
	}
	return domain.Unavailable("database", err)
}

func unreachable(err error) bool {
	var netErr net.Error
	var pqErr *pq.Error
	switch {
	case errors.As(err, &pqErr):
		// Class 08 is connection exceptions, 57P0x the server going away.
		code := string(pqErr.Code)
		return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "57P")
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.As(err, &netErr), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return true
	}
	return false
}

// The types below wrap lib/pq's connector so that every error the driver
// returns passes through translate: one place instead of every query.
// database/sql finds driver.ErrBadConn with errors.Is, so wrapping it keeps
// its retries. Each wrapper implements exactly the optional interfaces
// lib/pq's types do.

// pqConn is what database/sql may use of a lib/pq connection.
type pqConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

type connector struct{ pq driver.Connector }

// newConnector connects with lib/pq and translates its errors.
func newConnector(dsn string) (driver.Connector, error) {
	c, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return connector{c}, nil
}

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.pq.Connect(ctx)
	if err != nil {
		return nil, translate(err)
	}
	pc, ok := dc.(pqConn)
	if !ok {
		_ = dc.Close()
		return nil, fmt.Errorf("postgres: %s lacks an interface the wrapper forwards", reflect.TypeOf(dc))
	}
	return conn{pc}, nil
}

func (c connector) Driver() driver.Driver { return c.pq.Driver() }

type conn struct{ c pqConn }

func (c conn) Prepare(q string) (driver.Stmt, error) {
	st, err := c.c.Prepare(q)
	return wrapStmt(st, err)
}

func (c conn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	st, err := c.c.PrepareContext(ctx, q)
	return wrapStmt(st, err)
}

func (c conn) Close() error { return translate(c.c.Close()) }

// Begin, Exec and Query are deprecated but part of the driver interfaces.
func (c conn) Begin() (driver.Tx, error) {
	//lint:ignore SA1019 forwarded: lib/pq implements it
	tx, err := c.c.Begin()
	if err != nil {
		return nil, translate(err)
	}
	return txWrap{tx}, nil
}

func (c conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.c.BeginTx(ctx, opts)
	if err != nil {
		return nil, translate(err)
	}
	return txWrap{tx}, nil
}

func (c conn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	r, err := c.c.ExecContext(ctx, q, args)
	return r, translate(err)
}

func (c conn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	r, err := c.c.QueryContext(ctx, q, args)
	return wrapRows(r, err)
}

func (c conn) Ping(ctx context.Context) error { return translate(c.c.Ping(ctx)) }

// ResetSession and CheckNamedValue answer database/sql with sentinels it
// compares (driver.ErrBadConn, driver.ErrSkip): passed through untouched.
func (c conn) ResetSession(ctx context.Context) error      { return c.c.ResetSession(ctx) }
func (c conn) IsValid() bool                               { return c.c.IsValid() }
func (c conn) CheckNamedValue(nv *driver.NamedValue) error { return c.c.CheckNamedValue(nv) }

type txWrap struct{ tx driver.Tx }

func (t txWrap) Commit() error   { return translate(t.tx.Commit()) }
func (t txWrap) Rollback() error { return translate(t.tx.Rollback()) }

// pqStmt is what database/sql may use of a lib/pq statement.
type pqStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

type stmt struct{ s pqStmt }

func wrapStmt(st driver.Stmt, err error) (driver.Stmt, error) {
	if err != nil {
		return nil, translate(err)
	}
	ps, ok := st.(pqStmt)
	if !ok {
		_ = st.Close()
		return nil, fmt.Errorf("postgres: %s lacks an interface the wrapper forwards", reflect.TypeOf(st))
	}
	return stmt{ps}, nil
}

func (s stmt) Close() error  { return translate(s.s.Close()) }
func (s stmt) NumInput() int { return s.s.NumInput() }

func (s stmt) Exec(args []driver.Value) (driver.Result, error) {
	//lint:ignore SA1019 forwarded: lib/pq implements it
	r, err := s.s.Exec(args)
	return r, translate(err)
}

func (s stmt) Query(args []driver.Value) (driver.Rows, error) {
	//lint:ignore SA1019 forwarded: lib/pq implements it
	return wrapRows(s.s.Query(args))
}

func (s stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	r, err := s.s.ExecContext(ctx, args)
	return r, translate(err)
}

func (s stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return wrapRows(s.s.QueryContext(ctx, args))
}

// pqRows is what database/sql may use of lib/pq's rows.
type pqRows interface {
	driver.Rows
	driver.RowsNextResultSet
	driver.RowsColumnTypeScanType
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypePrecisionScale
}

type rows struct{ r pqRows }

func wrapRows(r driver.Rows, err error) (driver.Rows, error) {
	if err != nil {
		return nil, translate(err)
	}
	pr, ok := r.(pqRows)
	if !ok {
		_ = r.Close()
		return nil, fmt.Errorf("postgres: %s lacks an interface the wrapper forwards", reflect.TypeOf(r))
	}
	return rows{pr}, nil
}

func (r rows) Columns() []string { return r.r.Columns() }
func (r rows) Close() error      { return translate(r.r.Close()) }

// Next ends with io.EOF, which database/sql compares: not a lost server.
func (r rows) Next(dest []driver.Value) error {
	err := r.r.Next(dest)
	if err == io.EOF {
		return err
	}
	return translate(err)
}

func (r rows) HasNextResultSet() bool { return r.r.HasNextResultSet() }

func (r rows) NextResultSet() error {
	err := r.r.NextResultSet()
	if err == io.EOF {
		return err
	}
	return translate(err)
}

func (r rows) ColumnTypeScanType(i int) reflect.Type   { return r.r.ColumnTypeScanType(i) }
func (r rows) ColumnTypeDatabaseTypeName(i int) string { return r.r.ColumnTypeDatabaseTypeName(i) }
func (r rows) ColumnTypeLength(i int) (int64, bool)    { return r.r.ColumnTypeLength(i) }
func (r rows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	return r.r.ColumnTypePrecisionScale(i)
}
