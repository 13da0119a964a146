package org.mmsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What {@link FieldAnnotations} reads from a class file is what reflection reads from the loaded class. */
class FieldAnnotationsTest {
    private static final List<Class<?>> CLASSES = List.of(CheckCommand.class, RunCommand.class, ExploreCommand.class,
            ReplayCommand.class, FidelityCommand.class, KernelsCommand.class, BenchCommand.class, FuzzCommand.class,
            SearchOptions.class, KernelOptions.class);

    @Test
    void everyOptionParametersAndMixinReadsAsReflectionReadsIt() throws Exception {
        int options = 0;
        for (Class<?> c : CLASSES) {
            Map<String, List<FieldAnnotations.Annotation>> read = FieldAnnotations.of(c);
            List<String> annotated = new ArrayList<>();
            for (Field f : c.getDeclaredFields()) {
                Option o = f.getAnnotation(Option.class);
                Parameters p = f.getAnnotation(Parameters.class);
                if (o == null && p == null && f.getAnnotation(Mixin.class) == null) {
                    continue;
                }
                annotated.add(f.getName());
                FieldAnnotations.Annotation a = read.get(f.getName()).get(0);
                if (o != null) {
                    options++;
                    assertThat(a.type()).isEqualTo("picocli.CommandLine$Option");
                    assertThat(a.strings("names")).as(c.getSimpleName() + "." + f.getName()).containsExactly(o.names());
                    assertThat(a.string("split", "")).isEqualTo(o.split());
                    assertThat(a.string("arity", "")).isEqualTo(o.arity());
                } else if (p != null) {
                    assertThat(a.type()).isEqualTo("picocli.CommandLine$Parameters");
                    assertThat(a.string("index", "")).isEqualTo(p.index());
                    assertThat(a.string("arity", "")).isEqualTo(p.arity());
                } else {
                    assertThat(a.type()).isEqualTo("picocli.CommandLine$Mixin");
                }
            }
            assertThat(read.keySet()).as(c.getSimpleName()).containsExactlyInAnyOrderElementsOf(annotated);
        }
        assertThat(options).isGreaterThan(30);
    }
}
