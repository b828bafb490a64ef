package io.spool.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** conf/spool-default.xml documents exactly the keys of {@link SpoolConfig}, with the same defaults. */
class SpoolDefaultsTest {

  private static final Path DEFAULTS = Paths.get("..", "conf", "spool-default.xml");

  @Test
  void defaultsFileAndClassAgree() throws Exception {
    Map<String, String> fromClass = new HashMap<>();
    for (Field f : SpoolConfig.class.getFields()) {
      if (!Modifier.isStatic(f.getModifiers()) || f.getType() != String.class) {
        continue;
      }
      String key = (String) f.get(null);
      if (!key.startsWith("spool.") || key.endsWith(".")) {
        continue;
      }
      Field def = SpoolConfig.class.getField(f.getName() + "_DEFAULT");
      fromClass.put(key, String.valueOf(def.get(null)));
    }
    Configuration file = new Configuration(false);
    file.addResource(new org.apache.hadoop.fs.Path(DEFAULTS.toAbsolutePath().toUri()));
    for (Map.Entry<String, String> e : file) {
      assertTrue(fromClass.containsKey(e.getKey()), e.getKey() + " is in the file but not in SpoolConfig");
    }
    assertTrue(fromClass.size() > 20, "found keys " + fromClass.keySet());
    for (Map.Entry<String, String> e : fromClass.entrySet()) {
      assertEquals(e.getValue(), file.get(e.getKey(), ""), e.getKey());
      assertTrue(java.nio.file.Files.readString(DEFAULTS).contains("<name>" + e.getKey() + "</name>"), e.getKey());
    }
  }
}
