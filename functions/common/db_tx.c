/* Transactions across statements (see db_transaction in common/db.h).
 *
 * What may be run again follows from PostgreSQL's guarantees: a transaction
 * whose connection broke before COMMIT was sent, or that failed with a
 * serialization failure or deadlock, was rolled back entirely. Only a loss
 * during COMMIT leaves the outcome unknown. */
#include <string.h>

#include "db_internal.h"

#define DB_TX_MAX_ATTEMPTS 3 /* serialization failures and deadlocks */

typedef enum db_tx_stage { DB_TX_BEFORE_COMMIT = 0, DB_TX_COMMIT_SENT = 1 } db_tx_stage;

static void db_tx_rollback(db_session *s) {
  if (!s->conn) return;
  PGresult *r = PQexecParams(s->conn, "ROLLBACK", 0, NULL, NULL, NULL, NULL, 0);
  PQclear(r);
  /* A connection that cannot even roll back is closed: its state is unknown. */
  if (PQstatus(s->conn) != CONNECTION_OK || PQtransactionStatus(s->conn) != PQTRANS_IDLE)
    db__close(s);
}

static db_status db_tx_commit(db_session *s, char err[DB_ERR_LEN]) {
  PGresult *r = NULL;
  db_status st = db_exec(s, DB_NOT_IDEMPOTENT, "COMMIT", 0, NULL, &r, err);
  /* COMMIT of an aborted transaction "succeeds" with the tag ROLLBACK. */
  if (st == DB_OK && strcmp(PQcmdStatus(r), "COMMIT") != 0) {
    db__seterr(err, "COMMIT answered %s: the transaction was rolled back", PQcmdStatus(r));
    st = DB_QUERY;
  }
  PQclear(r);
  return st;
}

static const char *const db_begin_sql[] = {
    [DB_READ_COMMITTED] = "BEGIN ISOLATION LEVEL READ COMMITTED",
    [DB_REPEATABLE_READ] = "BEGIN ISOLATION LEVEL REPEATABLE READ",
    [DB_SERIALIZABLE] = "BEGIN ISOLATION LEVEL SERIALIZABLE",
};

static db_status db_tx_once(db_session *s, db_isolation iso, db_tx_body body, void *arg,
                            db_tx_stage *stage, char err[DB_ERR_LEN]) {
  *stage = DB_TX_BEFORE_COMMIT;
  /* Outside the transaction: a broken connection is reopened before BEGIN. */
  db_status st = db_exec(s, DB_IDEMPOTENT, db_begin_sql[iso], 0, NULL, NULL, err);
  if (st != DB_OK) return st;
  s->in_tx = 1;
  s->tx_error = DB_OK;
  st = body(s, arg, err);
  /* A statement failed but the body carried on: the statement's status wins,
   * it is what decides whether a retry can help. */
  if (s->tx_error != DB_OK) st = s->tx_error;
  if (st == DB_OK && s->conn && PQtransactionStatus(s->conn) == PQTRANS_INERROR) st = DB_QUERY;
  if (st != DB_OK) {
    db_tx_rollback(s);
    s->in_tx = 0;
    return st;
  }
  *stage = DB_TX_COMMIT_SENT;
  st = db_tx_commit(s, err);
  /* COMMIT not sent (deadline) or refused: never leave the transaction open
   * on a connection the next invocation will use. */
  if (st != DB_OK && s->conn && PQtransactionStatus(s->conn) != PQTRANS_IDLE) db_tx_rollback(s);
  /* abandoned at the deadline while committing: as unknown as a lost connection */
  if (st == DB_TIMEOUT && !s->conn) st = DB_CONNECTION_LOST;
  s->in_tx = 0;
  return st;
}

static int db_tx_again(db_session *s, db_status st, db_tx_stage stage, db_idempotency idem,
                       int *attempts, int *reconnects) {
  if (st == DB_SERIALIZATION_FAILURE || st == DB_DEADLOCK) return ++*attempts < DB_TX_MAX_ATTEMPTS;
  if (st != DB_CONNECTION_LOST || *reconnects > 0) return 0;
  if (stage == DB_TX_COMMIT_SENT && idem != DB_IDEMPOTENT) return 0;
  ++*reconnects;
  db__log(s, LR_LOG_WARN, "connection lost in a transaction; running it again", NULL);
  return 1;
}

db_status db_transaction(db_session *s, db_idempotency idem, db_tx_body body, void *arg,
                         char err[DB_ERR_LEN]) {
  return db_transaction_iso(s, idem, DB_READ_COMMITTED, body, arg, err);
}

db_status db_transaction_iso(db_session *s, db_idempotency idem, db_isolation iso,
                             db_tx_body body, void *arg, char err[DB_ERR_LEN]) {
  if (!s || !body || s->in_tx || (unsigned)iso > DB_SERIALIZABLE) {
    db__seterr(err, "db_transaction: invalid argument (or nested transaction)");
    return DB_BAD_ARGUMENT;
  }
  int attempts = 0, reconnects = 0;
  for (;;) {
    db_tx_stage stage;
    db_status st = db_tx_once(s, iso, body, arg, &stage, err);
    if (st == DB_OK) return DB_OK;
    if (db_tx_again(s, st, stage, idem, &attempts, &reconnects)) continue;
    if (st == DB_CONNECTION_LOST && stage == DB_TX_COMMIT_SENT) {
      db__log(s, LR_LOG_ERROR, "connection lost during COMMIT; outcome unknown", err);
      return DB_COMMIT_UNKNOWN;
    }
    return st;
  }
}
