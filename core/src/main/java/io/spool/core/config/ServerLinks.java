package io.spool.core.config;

import org.apache.hadoop.conf.Configuration;

/**
 * Links into the Spool server's UI that others hand out: a function master sets its YARN tracking URL to its
 * function's page, so the ResourceManager's link (through its web proxy) opens the function in the UI, and keeps
 * working after the master has exited.
 */
public final class ServerLinks {

  /** Where a function's page is, below the server's URL. */
  public static final String FUNCTION_PAGES = "ui/functions/";

  private ServerLinks() {}

  /** The page of {@code functionId} on the server at {@code base}. */
  public static String functionPage(String base, String functionId) {
    return (base.endsWith("/") ? base : base + "/") + FUNCTION_PAGES + functionId + "/";
  }

  /** The page of {@code functionId} on the server {@link SpoolConfig#SERVER_URL} names, or "" if none is set. */
  public static String functionPage(Configuration conf, String functionId) {
    String base = conf.getTrimmed(SpoolConfig.SERVER_URL, SpoolConfig.SERVER_URL_DEFAULT);
    return base.isEmpty() ? "" : functionPage(base, functionId);
  }
}
