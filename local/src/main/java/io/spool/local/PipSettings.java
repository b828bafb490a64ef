package io.spool.local;

import io.spool.core.config.SpoolConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The package indexes the user's pip is configured with, as Spool's build settings. Builds run in YARN containers,
 * which see neither the user's {@code PIP_*} variables nor, depending on the container's HOME, the user's pip.conf;
 * so the embedded cluster carries pip's effective index settings into its client configuration.
 */
final class PipSettings {

  private static final Logger LOG = LoggerFactory.getLogger(PipSettings.class);
  private static final Pattern LINE = Pattern.compile("^[^.]*\\.([a-z-]+)='(.*)'$");

  private PipSettings() {}

  /** Spool's build keys for what {@code <python> -m pip config list} reports; empty if pip cannot say. */
  static Map<String, String> of(PythonInterpreter python) {
    try {
      Process p = new ProcessBuilder(python.executable().toString(), "-m", "pip", "config", "list")
          .redirectErrorStream(true).start();
      p.getOutputStream().close();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        LOG.warn("pip config list failed; builds use pip's defaults: {}", output.strip());
        return Map.of();
      }
      return parse(output);
    } catch (IOException e) {
      LOG.warn("cannot run pip to read its configuration; builds use pip's defaults", e);
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    }
  }

  /** Maps {@code pip config list} lines ({@code global.extra-index-url='a b'}, {@code :env:.find-links='c'}). */
  static Map<String, String> parse(String pipConfigList) {
    String index = null;
    List<String> extra = new ArrayList<>();
    List<String> links = new ArrayList<>();
    for (String line : pipConfigList.split("\n")) {
      Matcher m = LINE.matcher(line.strip());
      if (!m.matches()) {
        continue;
      }
      List<String> values = List.of(m.group(2).trim().split("\\s+"));
      switch (m.group(1)) {
        case "index-url" -> index = values.get(0);
        case "extra-index-url" -> values.stream().filter(v -> !extra.contains(v)).forEach(extra::add);
        case "find-links" -> values.stream().filter(v -> !links.contains(v)).forEach(links::add);
        default -> { }
      }
    }
    Map<String, String> settings = new LinkedHashMap<>();
    if (index != null) {
      settings.put(SpoolConfig.BUILD_PIP_INDEX_URL, index);
    }
    if (!extra.isEmpty()) {
      settings.put(SpoolConfig.BUILD_PIP_EXTRA_INDEX_URLS, String.join(",", extra));
    }
    if (!links.isEmpty()) {
      settings.put(SpoolConfig.BUILD_PIP_FIND_LINKS, String.join(",", links));
    }
    return settings;
  }
}
