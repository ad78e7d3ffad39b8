-- Once per cluster, as the master user, before the first `migrate` that logs in as the
-- migrator (db/README.md, "Database users"). Safe to run again. Reads the migrator's name
-- from the setting orders.migrator_user (the same name as the migrate function's DB_USER):
--
--   psql "host=... user=<master> dbname=orders sslmode=verify-full" -v ON_ERROR_STOP=1 \
--     -c "SET orders.migrator_user = 'orders_migrator'" -f db/bootstrap/migrator.sql
--
-- It makes the migrator: a login role with CREATEROLE (0006 creates the functions' users),
-- rds_iam WITH ADMIN OPTION where it exists (IAM authentication for itself, and the right to
-- hand it to the users it creates), owner of schema public and of everything already in it
-- (a cluster migrated by the master before 0006). The master stays a member of the migrator,
-- which ALTER ... OWNER needs and lets an operator act as the owner (SET ROLE). And PUBLIC
-- loses TEMPORARY on the database.
DO $bootstrap$
DECLARE
  v_migrator text := current_setting('orders.migrator_user');
  v_obj record;
BEGIN
  IF v_migrator !~ '^[a-z_][a-z0-9_]{0,62}$' OR v_migrator ~ '^(pg_|rds)' OR v_migrator = current_user THEN
    RAISE EXCEPTION 'bad migrator name "%"', v_migrator USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = v_migrator) THEN
    EXECUTE format('CREATE ROLE %I LOGIN CREATEROLE', v_migrator);
  END IF;
  IF NOT pg_has_role(current_user, v_migrator, 'MEMBER') THEN
    EXECUTE format('GRANT %I TO %I', v_migrator, current_user);
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN
    EXECUTE format('GRANT rds_iam TO %I WITH ADMIN OPTION', v_migrator);
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), v_migrator);
  -- Temporary tables are DDL too, and session state RDS Proxy would pin: only the database
  -- owner can take them from PUBLIC, so here rather than in 0006.
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('ALTER SCHEMA public OWNER TO %I', v_migrator);
  FOR v_obj IN
    SELECT format('%s %s', CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                          WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                  c.oid::regclass) AS what
      FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
       AND c.relowner <> v_migrator::regrole
       AND NOT (c.relkind = 'S' AND EXISTS (  -- owned-by sequences follow their table
             SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
  LOOP
    EXECUTE format('ALTER %s OWNER TO %I', v_obj.what, v_migrator);
  END LOOP;
  FOR v_obj IN
    SELECT p.oid::regprocedure AS what FROM pg_proc p
     WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> v_migrator::regrole
  LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO %I', v_obj.what, v_migrator);
  END LOOP;
END
$bootstrap$;
