package org.mmsim.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesNestedValuesInInsertionOrderWithEscapes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", 1);
        m.put("a", List.of("x\"y", "tab\there", "\u0001"));
        m.put("ok", true);
        m.put("none", null);
        m.put("empty", List.of());
        assertThat(Json.write(m)).isEqualTo("""
                {
                  "b": 1,
                  "a": [
                    "x\\"y",
                    "tab\\there",
                    "\\u0001"
                  ],
                  "ok": true,
                  "none": null,
                  "empty": []
                }
                """);
    }

    @Test
    void refusesTypesItCannotWrite() {
        assertThatThrownBy(() -> Json.write(new Object())).isInstanceOf(IllegalArgumentException.class);
    }
}
