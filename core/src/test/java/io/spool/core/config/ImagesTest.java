package io.spool.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class ImagesTest {

  private static Configuration conf() {
    Configuration conf = new Configuration(false);
    conf.set("spool.image.default", "python3.11");
    conf.set("spool.image.python3.9.interpreter", "/usr/bin/python3.9");
    conf.set("spool.image.python3.11.interpreter", "/opt/py311/bin/python3");
    conf.set("spool.image.python3.12.archive", "/spool/images/py312.tgz");
    conf.set("spool.image.gpu.docker", "registry.example/ml:2024");
    conf.set("spool.image.gpu.interpreter", "/usr/local/bin/python3");
    return conf;
  }

  @Test
  void configuredNamesAreListed() {
    assertEquals(List.of("gpu", "python3.11", "python3.12", "python3.9"), Images.configured(conf()));
  }

  @Test
  void aNameOrItsLatestTagIsThatImage() {
    assertEquals(new Images.Image("python3.11", Images.Kind.INTERPRETER, "/opt/py311/bin/python3", null),
        Images.resolve(conf(), "python3.11"));
    assertEquals("python3.11", Images.resolve(conf(), "python3.11:latest").name());
  }

  @Test
  void latestOfAFamilyIsItsNewestVersion() {
    Images.Image newest = Images.resolve(conf(), "python3:latest");
    assertEquals("python3.12", newest.name(), "3.12 is newer than 3.11 and 3.9");
    assertEquals(Images.Kind.ARCHIVE, newest.kind());
    assertEquals("bin/python3", newest.interpreter());
    assertEquals("/spool/images/py312.tgz", newest.location());
  }

  @Test
  void dockerImagesCarryTheirInterpreter() {
    assertEquals(new Images.Image("gpu", Images.Kind.DOCKER, "/usr/local/bin/python3", "registry.example/ml:2024"),
        Images.resolve(conf(), "gpu"));
  }

  @Test
  void unknownImageListsTheConfiguredOnes() {
    for (String unknown : new String[] {"python2.7", "python3.11:2019", "python4:latest", ""}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Images.resolve(conf(), unknown));
      assertTrue(e.getMessage().contains("unknown image '" + unknown + "'"), e.getMessage());
      assertTrue(e.getMessage().contains("[gpu, python3.11, python3.12, python3.9]"), e.getMessage());
      assertTrue(e.getMessage().contains("spool.image.<name>.interpreter"), e.getMessage());
    }
  }
}
