package io.spool.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spool.client.Spool;
import io.spool.core.blob.BlobStore;
import io.spool.core.blob.LogPurge;
import io.spool.core.config.SpoolConfig;
import io.spool.core.json.Json;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spool admin …}: housekeeping of Spool's data on the cluster. */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = "Housekeeping of Spool's data on the cluster.",
    subcommands = {AdminCommands.Purge.class})
final class AdminCommands {

  @Command(name = "purge", mixinStandardHelpOptions = true,
      description = {"Delete job logs older than the retention, and the job and function log directories this "
          + "leaves empty. Only logs are deleted (users/<owner>/logs/<function>/<job>/<attempt>, by the time each "
          + "was last written); results, bundles and job records are never touched: a purged job's log reads as "
          + "empty.",
          "The running masters do the same for their owner every spool.purge.interval-ms; this command purges now, "
              + "for one owner or for all (a user may purge only the owners whose directories it can read; others "
              + "are reported as skipped)."},
      footer = {"", "Examples:", "  spool admin purge --dry-run                       # what would go, every owner",
          "  spool admin purge --owner alice --retention-days 7 --json"})
  static final class Purge extends ConnectedCommand implements Callable<Integer> {
    @Option(names = "--owner", paramLabel = "NAME", description = "only this owner's logs (default: every owner's)")
    String owner;
    @Option(names = "--retention-days", paramLabel = "N", description = "delete logs last written more than N days "
        + "ago (default: " + SpoolConfig.LOG_RETENTION_DAYS + ", " + SpoolConfig.LOG_RETENTION_DAYS_DEFAULT
        + " unless configured)")
    Integer retentionDays;
    @Option(names = "--dry-run", description = "delete nothing; report what would be deleted")
    boolean dryRun;
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
      if (retentionDays != null && retentionDays < 1) {
        throw new IllegalArgumentException("--retention-days must be at least 1, not " + retentionDays);
      }
      try (Spool spool = connection.get()) {
        Configuration conf = spool.configuration();
        Duration retention = Duration.ofDays(retentionDays != null ? retentionDays : configuredRetentionDays(conf));
        BlobStore blobs = BlobStore.open(conf);
        LogPurge purge = dryRun ? LogPurge.dryRun(blobs, retention, Clock.systemUTC())
            : LogPurge.deleting(blobs, retention, Clock.systemUTC());
        LogPurge.Result result = owner != null ? purge.purge(owner) : purge.purgeAll();
        if (json) {
          out().println(Json.values().writeValueAsString(describe(result, retention)));
        } else {
          print(result, retention);
        }
        return SpoolCli.EXIT_OK;
      }
    }

    private static int configuredRetentionDays(Configuration conf) {
      int days = conf.getInt(SpoolConfig.LOG_RETENTION_DAYS, SpoolConfig.LOG_RETENTION_DAYS_DEFAULT);
      if (days < 1) {
        throw new IllegalArgumentException(SpoolConfig.LOG_RETENTION_DAYS + " must be at least 1, not " + days
            + ": change it or give --retention-days");
      }
      return days;
    }

    private ObjectNode describe(LogPurge.Result result, Duration retention) {
      ObjectNode node = JsonNodeFactory.instance.objectNode();
      node.put("dryRun", dryRun);
      node.put("retentionDays", retention.toDays());
      node.put("cutoff", result.cutoff().toString());
      node.put("owners", result.ownersVisited());
      node.put("files", result.filesDeleted());
      node.put("bytes", result.bytesFreed());
      node.put("directories", result.directoriesRemoved());
      result.ownersSkipped().forEach(node.putArray("skippedOwners")::add);
      return node;
    }

    private void print(LogPurge.Result result, Duration retention) {
      out().printf("%s logs last written more than %d days ago (before %s)%n",
          dryRun ? "dry run: would purge" : "purged", retention.toDays(), result.cutoff());
      out().printf("owners:      %d%n", result.ownersVisited());
      out().printf("files:       %d%n", result.filesDeleted());
      out().printf("bytes:       %d%n", result.bytesFreed());
      out().printf("directories: %d%n", result.directoriesRemoved());
      if (!result.ownersSkipped().isEmpty()) {
        out().printf("skipped (permission denied): %s%n", String.join(", ", result.ownersSkipped()));
      }
    }
  }
}
