package dev.outbox.cli;

import picocli.CommandLine.Option;

/** The options every command takes: where the outbox is, and the output format. */
final class ConnectionOptions {
  @Option(
      names = "--jdbc-url",
      paramLabel = "URL",
      description =
          "jdbc:postgresql:, jdbc:mysql: or jdbc:mariadb: URL (env "
              + Session.ENV_URL
              + ", default "
              + Session.DEFAULT_JDBC_URL
              + ")")
  String jdbcUrl;

  @Option(
      names = "--user",
      paramLabel = "NAME",
      description =
          "database user (env " + Session.ENV_USER + ", default postgres, root on MySQL/MariaDB)")
  String user;

  @Option(
      names = "--password",
      paramLabel = "SECRET",
      description = "database password (env " + Session.ENV_PASSWORD + ", default empty)")
  String password;

  @Option(
      names = "--schema",
      paramLabel = "NAME",
      description = "schema (MySQL: database) of the outbox tables (default: the connection's)")
  String schema;

  @Option(
      names = "--table",
      paramLabel = "NAME",
      description = "the outbox's message table (default outbox_message)")
  String table;

  @Option(names = "--json", description = "print one JSON document on stdout instead of tables")
  boolean json;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "this text")
  boolean help;
}
