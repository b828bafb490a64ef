package io.spool.server;

import io.spool.cli.CliExtension;
import io.spool.client.Spool;
import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.authentication.client.AuthenticatedURL;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Adds {@code spool server} to the command line: the REST API and UI as a standalone daemon. */
public final class ServerCommands implements CliExtension {

  @Override
  public void register(CommandLine root, Supplier<Spool> connection) {
    root.addSubcommand("server", new Serve());
    root.addSubcommand("login", new Login(connection));
  }

  /** Where {@code spool login} keeps the server's session token unless told otherwise. */
  static Path defaultTokenFile() {
    return Paths.get(System.getProperty("user.home"), ".spool", "server-token");
  }

  @Command(name = "login", mixinStandardHelpOptions = true,
      description = "Authenticate to the Spool server with your Kerberos ticket (SPNEGO) and keep the session token "
          + "it gives for clients that cannot do SPNEGO themselves (the Python client reads it).",
      footer = {"", "Examples:", "  kinit && spool login", "  spool login --url http://spool.example.com:8770/"})
  static final class Login implements Callable<Integer> {
    private final Supplier<Spool> connection;
    @Option(names = "--url", description = "the server's URL (default: spool.server.url)")
    String url;
    @Option(names = "--token-file", description = "where to keep the token, readable by you alone (default: "
        + "~/.spool/server-token)")
    Path tokenFile;
    @Spec
    CommandLine.Model.CommandSpec spec;

    Login(Supplier<Spool> connection) {
      this.connection = connection;
    }

    @Override
    public Integer call() throws Exception {
      String base;
      try (Spool spool = connection.get()) {
        base = url != null ? url : spool.configuration().getTrimmed(SpoolConfig.SERVER_URL, "");
      }
      if (base.isEmpty()) {
        throw new IllegalArgumentException("no server to log in to: give --url or set " + SpoolConfig.SERVER_URL);
      }
      URL api = new URL(base.endsWith("/") ? base + "api/v1/" : base + "/api/v1/");
      AuthenticatedURL.Token token = new AuthenticatedURL.Token();
      HttpURLConnection reply = new AuthenticatedURL().openConnection(api, token);
      int status = reply.getResponseCode();
      String body;
      try (InputStream in = status < 400 ? reply.getInputStream() : reply.getErrorStream()) {
        body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (status != 200 || !token.isSet()) {
        throw new IllegalStateException("the server at " + base + " did not log you in (HTTP " + status + "): "
            + body.strip() + (token.isSet() ? "" : " (it uses no Kerberos, so no token is needed: name the user)"));
      }
      Path file = tokenFile != null ? tokenFile : defaultTokenFile();
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, token.toString());
      String user = Json.values().readTree(body).path("user").asText();
      spec.commandLine().getOut().println("Logged in to " + base + " as " + user + "; the session token is in "
          + file + " (the Python client reads it).");
      return 0;
    }
  }

  @Command(name = "server", mixinStandardHelpOptions = true,
      description = "Run the Spool server (REST API at /api/v1/, web UI at /ui/) with the cluster's configuration, "
          + "until stopped (SIGTERM or Ctrl-C).",
      footer = {"", "Examples:", "  spool server --address 0.0.0.0:8770",
          "  HADOOP_CONF_DIR=/etc/hadoop/conf yarn jar spool.jar server"})
  static final class Serve implements Callable<Integer> {
    @Option(names = "--address", description = "host:port to listen on (default: spool.server.address, "
        + SpoolConfig.SERVER_ADDRESS_DEFAULT + ")")
    String address;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Configuration conf = SpoolConfig.load();
      if (address != null) {
        conf.set(SpoolConfig.SERVER_ADDRESS, address);
      }
      SpoolServer server = SpoolServer.start(conf);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        stopped.countDown();
      }, "spool-server-stop"));
      spec.commandLine().getOut().println("Spool server: " + server.uri() + "ui/  (API: " + server.uri()
          + "api/v1/, OpenAPI: " + server.uri() + "api/v1/openapi.json)");
      spec.commandLine().getOut().flush();
      stopped.await();
      return 0;
    }
  }
}
