package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.convert.TypeDescriptor;

/**
 * The generated configuration metadata (what IDEs complete) names every {@code outbox.*} property
 * with a description, and each default it states is the one the properties start with, which are
 * the core library's.
 */
class ConfigurationMetadataTest {

  private static List<Map<String, Object>> properties() throws Exception {
    try (InputStream in =
        ConfigurationMetadataTest.class.getResourceAsStream(
            "/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("generated metadata").isNotNull();
      return JsonPath.read(in, "$.properties");
    }
  }

  @Test
  void everyPropertyIsDescribed() throws Exception {
    assertThat(properties())
        .hasSizeGreaterThan(30)
        .allSatisfy(p -> assertThat(p.get("description")).as("%s", p.get("name")).isNotNull());
  }

  @Test
  void everyStatedDefaultIsTheBoundDefault() throws Exception {
    OutboxProperties fresh = new OutboxProperties();
    BeanWrapperImpl bean = new BeanWrapperImpl(fresh);
    var conversion = ApplicationConversionService.getSharedInstance();
    int checked = 0;
    for (Map<String, Object> p : properties()) {
      Object stated = p.get("defaultValue");
      // The endpoint's management.endpoint.outbox.* properties are Boot's own.
      if (stated == null || !((String) p.get("name")).startsWith("outbox.")) {
        continue;
      }
      String path = camel(((String) p.get("name")).substring("outbox.".length()));
      Object actual = bean.getPropertyValue(path);
      TypeDescriptor type = bean.getPropertyTypeDescriptor(path);
      Object statedConverted =
          conversion.convert(stated.toString(), TypeDescriptor.valueOf(String.class), type);
      assertThat(statedConverted).as("%s", p.get("name")).isEqualTo(actual);
      checked++;
    }
    assertThat(checked).isGreaterThan(20);
  }

  private static String camel(String kebab) {
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char c : kebab.toCharArray()) {
      if (c == '-') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return b.toString();
  }
}
