package io.spool.server;

import io.spool.core.config.SpoolConfig;
import org.apache.hadoop.conf.Configuration;

/**
 * The server's limits, from the configuration.
 *
 * @param longPollMaxMs longest a waiting request is held (below the web proxy's 60 s idle cut)
 * @param streamMaxMs longest an event stream stays open before the client reconnects with {@code ?since=}
 * @param uploadMaxBytes largest bundle upload
 * @param jsonBodyMaxBytes largest JSON body (a submission of many jobs)
 */
record ServerSettings(long longPollMaxMs, long streamMaxMs, long uploadMaxBytes, long jsonBodyMaxBytes) {

  private static final long STREAM_MAX_MS = 600_000;
  private static final long JSON_BODY_MAX_BYTES = 64L << 20;

  static ServerSettings from(Configuration conf) {
    return new ServerSettings(
        conf.getLong(SpoolConfig.SERVER_LONG_POLL_MAX_MS, SpoolConfig.SERVER_LONG_POLL_MAX_MS_DEFAULT),
        STREAM_MAX_MS,
        conf.getLong(SpoolConfig.SERVER_UPLOAD_MAX_BYTES, SpoolConfig.SERVER_UPLOAD_MAX_BYTES_DEFAULT),
        JSON_BODY_MAX_BYTES);
  }
}
