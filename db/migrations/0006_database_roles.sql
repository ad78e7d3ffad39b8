-- Least-privilege database users, one per function (db/README.md, "Database users").
-- The names are inputs, not text of this file: migrate sets them for the transaction
-- (orders.migrator_user, orders.api_user, orders.worker_user, orders.cleanup_user from
-- DB_MIGRATOR_USER, DB_API_USER, DB_WORKER_USER, DB_CLEANUP_USER), so the checksum covers
-- what is granted, and a stage may name its users as its IAM policies do.
--
-- The role running this file owns the schema: the migrator in AWS (db/bootstrap/migrator.sql
-- made it, with CREATEROLE), the superuser locally. It creates the login users when missing
-- and grants each the DML its function's statements need on the tables, nothing else: no
-- DDL (they own nothing and PostgreSQL 15 gives PUBLIC no CREATE on schema public), no
-- schema_migrations. Every step is idempotent: users that already exist are reused, unless
-- they carry an attribute that would defeat the point (superuser, CREATEROLE, ...).
DO $roles$
DECLARE
  v_migrator text := current_setting('orders.migrator_user');
  v_api text := current_setting('orders.api_user');
  v_worker text := current_setting('orders.worker_user');
  v_cleanup text := current_setting('orders.cleanup_user');
  v_user text;
  v_role pg_roles%ROWTYPE;
BEGIN
  IF cardinality(ARRAY(SELECT DISTINCT u FROM unnest(ARRAY[v_migrator, v_api, v_worker, v_cleanup]) u)) <> 4 THEN
    RAISE EXCEPTION 'database users must be four distinct names: % % % %', v_migrator, v_api, v_worker, v_cleanup
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOREACH v_user IN ARRAY ARRAY[v_api, v_worker, v_cleanup] LOOP
    IF v_user !~ '^[a-z_][a-z0-9_]{0,62}$' OR v_user ~ '^(pg_|rds)' OR v_user = current_user THEN
      RAISE EXCEPTION 'bad application user name "%"', v_user USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO v_role FROM pg_roles WHERE rolname = v_user;
    IF NOT FOUND THEN
      EXECUTE format('CREATE ROLE %I LOGIN', v_user);
    ELSIF v_role.rolsuper OR v_role.rolcreaterole OR v_role.rolcreatedb OR v_role.rolreplication
          OR v_role.rolbypassrls THEN
      RAISE EXCEPTION 'application user "%" exists with more than LOGIN (superuser, createrole, '
        'createdb, replication or bypassrls): refusing to use it', v_user
        USING ERRCODE = 'insufficient_privilege';
    ELSE
      EXECUTE format('ALTER ROLE %I LOGIN', v_user);
    END IF;
    -- RDS Proxy and Aurora IAM authentication: the role exists only on RDS.
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN
      EXECUTE format('GRANT rds_iam TO %I', v_user);
    END IF;
    -- Start from nothing, so that a rerun with other grants (or a reused user) ends exact.
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', v_user);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', v_user);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', v_user);
  END LOOP;

  -- api: POST /orders (order_create, 0003: reads the catalog, writes the key, the order, its
  -- lines, the outbox row, marks outbox rows), GET and list (orders, order_items), cancel
  -- (locks and updates the order, gives the lines' stock back to inventory), the outbox marks.
  EXECUTE format('GRANT SELECT ON products TO %I', v_api);
  EXECUTE format('GRANT SELECT, UPDATE ON inventory TO %I', v_api);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE ON orders, idempotency_keys, outbox TO %I', v_api);
  EXECUTE format('GRANT SELECT, INSERT ON order_items TO %I', v_api);

  -- worker: locks a PENDING order, reads its lines and their products, reserves stock
  -- (inventory rows locked in SKU order), confirms or rejects, marks the outbox row published.
  -- It never creates or deletes anything.
  EXECUTE format('GRANT SELECT ON products, order_items TO %I', v_worker);
  EXECUTE format('GRANT SELECT, UPDATE ON orders, inventory, outbox TO %I', v_worker);

  -- cleanup: the archive reads terminal orders with their lines and deletes them (their lines,
  -- keys and outbox rows go with them: ON DELETE CASCADE runs as the tables' owner), purges
  -- expired idempotency keys; the relay claims unpublished outbox rows (FOR UPDATE SKIP LOCKED
  -- needs UPDATE) and marks them sent.
  EXECUTE format('GRANT SELECT, DELETE ON orders, order_items, idempotency_keys TO %I', v_cleanup);
  EXECUTE format('GRANT SELECT, UPDATE ON outbox TO %I', v_cleanup);

  -- Functions: every one is SECURITY INVOKER (a test enforces it), so EXECUTE gives nothing
  -- that the caller's table grants do not; the application users get it on every function of
  -- the schema, now and later (the default privileges below), and nobody else does.
  -- Trigger functions fire whatever EXECUTE says; functions they call (orders_assert_total,
  -- 0002) are checked against the user whose statement fired them.
  REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
  EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO %I, %I, %I', v_api, v_worker, v_cleanup);
  ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO %I, %I, %I',
                 v_api, v_worker, v_cleanup);

  -- The bookkeeping table is the owner's alone (it has no grant to anyone; this makes sure).
  -- Absent only when the file is applied without migrate (tests/support's tpg).
  IF to_regclass('schema_migrations') IS NOT NULL THEN
    REVOKE ALL ON schema_migrations FROM PUBLIC;
  END IF;
END
$roles$;
