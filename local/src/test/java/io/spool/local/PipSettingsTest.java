package io.spool.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spool.core.config.SpoolConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipSettingsTest {

  @Test
  void pipsIndexesBecomeBuildSettings() {
    String list = String.join("\n",
        ":env:.default-timeout='180'",
        ":env:.find-links='/opt/wheels'",
        "global.cert='/etc/ssl/certs/ca-certificates.crt'",
        "global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'",
        "global.find-links='/opt/wheels'",
        "site.index-url='https://mirror.example/simple'");
    assertEquals(Map.of(
        SpoolConfig.BUILD_PIP_INDEX_URL, "https://mirror.example/simple",
        SpoolConfig.BUILD_PIP_EXTRA_INDEX_URLS, "file:///opt/pypi/simple,file:///opt/pypi-more/simple",
        SpoolConfig.BUILD_PIP_FIND_LINKS, "/opt/wheels"), PipSettings.parse(list));
  }

  @Test
  void noPipConfigurationMeansNoSettings() {
    assertEquals(Map.of(), PipSettings.parse(""));
  }
}
