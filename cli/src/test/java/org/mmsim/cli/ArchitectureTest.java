package org.mmsim.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mmsim.drivers.archfixture.DriverReachingIn;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.page.PageFrames;

/**
 * The layering of STYLE.md, enforced: kernel and explore (java.base only, and unaware of each other) at the bottom,
 * drivers on the kernel's exported symbols only, scenario binding kernel, drivers and explorer, report on top of them,
 * cli on top; no import cycles between any two packages; only the cli prints or exits; the model has no threads, wall
 * clock or unseeded randomness, and the explorer reads the clock only for its time budget.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.mmsim");
    }

    private static com.tngtech.archunit.library.Architectures.LayeredArchitecture layers() {
        return layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("kernel").definedBy("org.mmsim.kernel..")
                .layer("drivers").definedBy("org.mmsim.drivers..")
                .layer("explore").definedBy("org.mmsim.explore..")
                .layer("scenario").definedBy("org.mmsim.scenario..")
                .layer("report").definedBy("org.mmsim.report..")
                .layer("cli").definedBy("org.mmsim.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("report").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("scenario").mayOnlyBeAccessedByLayers("report", "cli")
                .whereLayer("drivers").mayOnlyBeAccessedByLayers("scenario", "cli")
                .whereLayer("kernel").mayOnlyBeAccessedByLayers("drivers", "scenario", "report", "cli")
                .whereLayer("explore").mayOnlyBeAccessedByLayers("scenario", "report", "cli");
    }

    @Test
    void layersOnlyReachDown() {
        layers().check(classes);
    }

    @Test
    void theLayerRuleCatchesALowerLayerReachingUp() {
        JavaClasses withViolation = new ClassFileImporter().importClasses(
                org.mmsim.kernel.archfixture.KernelReachingUp.class, Main.class);
        assertThatThrownBy(() -> layers().check(withViolation))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("KernelReachingUp");
    }

    @Test
    void noTwoPackagesDependOnEachOther() {
        slices().matching("org.mmsim.(**)").should().beFreeOfCycles().check(classes);
    }

    // ---- the driver API ---------------------------------------------------------------------------------------

    private static boolean kernel(JavaClass c) {
        return c.getPackageName().startsWith("org.mmsim.kernel");
    }

    /** Whether {@code c} or a class enclosing it is marked {@link Export}. */
    private static boolean exportedType(JavaClass c) {
        for (Optional<JavaClass> e = Optional.of(c); e.isPresent(); e = e.get().getEnclosingClass()) {
            if (e.get().isAnnotatedWith(Export.class)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a driver may use of the kernel: types marked {@link Export} (all their members), types with members marked
     * so (those members only), and everything in the driver's own package.
     */
    private static final ArchCondition<JavaClass> USE_ONLY_EXPORTED_SYMBOLS =
            new ArchCondition<>("use only the kernel's exported symbols (@Export)") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    for (Dependency d : c.getDirectDependenciesFromSelf()) {
                        JavaClass t = d.getTargetClass().isArray() ? d.getTargetClass().getBaseComponentType()
                                : d.getTargetClass();
                        if (kernel(t) && !t.getPackageName().equals(c.getPackageName()) && !exportedType(t)
                                && t.getMembers().stream().noneMatch(m -> m.isAnnotatedWith(Export.class))) {
                            events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                        }
                    }
                    for (JavaAccess<?> a : c.getAccessesFromSelf()) {
                        JavaClass owner = a.getTargetOwner();
                        if (kernel(owner) && !owner.getPackageName().equals(c.getPackageName()) && !exportedType(owner)
                                && a.getTarget().resolveMember().map(m -> !m.isAnnotatedWith(Export.class))
                                        .orElse(true)) {
                            events.add(SimpleConditionEvent.violated(a, a.getDescription()));
                        }
                    }
                }
            };

    private static ArchRule exportRule(String... packages) {
        return classes().that().resideInAnyPackage(packages).should(USE_ONLY_EXPORTED_SYMBOLS)
                .because("drivers reach the kernel only through its EXPORT_SYMBOL list");
    }

    @Test
    void driversAndIoUringUseOnlyTheKernelsExportedSymbols() {
        exportRule("org.mmsim.drivers..", "org.mmsim.kernel.iouring..").check(classes);
    }

    @Test
    void theExportRuleCatchesADriverTouchingKernelInternals() {
        JavaClasses withViolation = new ClassFileImporter().importClasses(DriverReachingIn.class, PageFrames.class,
                Mm.class);
        assertThatThrownBy(() -> exportRule("org.mmsim.drivers..").check(withViolation))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("PageFrames.setWord")
                .hasMessageContaining("Mm.setPte");
    }

    // ---- the other house rules ----------------------------------------------------------------------------------

    @Test
    void kernelUsesOnlyTheJdkBase() {
        noClasses().that().resideInAPackage("org.mmsim.kernel..")
                .should().dependOnClassesThat().resideOutsideOfPackages("org.mmsim.kernel..", "java.lang..",
                        "java.util..")
                .check(classes);
    }

    @Test
    void theExplorerKnowsNoModelAndOnlyTheJdkBase() {
        noClasses().that().resideInAPackage("org.mmsim.explore..")
                .should().dependOnClassesThat().resideOutsideOfPackages("org.mmsim.explore..", "java.lang..",
                        "java.util..", "java.io..", "java.nio.file..")
                .check(classes);
    }

    /** The level structures write themselves to a DataOutput; only checkpoints open files. */
    @Test
    void onlyCheckpointsTouchFiles() {
        noClasses().that().resideInAPackage("org.mmsim.explore..")
                .and().doNotHaveFullyQualifiedName("org.mmsim.explore.Checkpoint")
                .should().dependOnClassesThat().haveFullyQualifiedName("java.nio.file.Files")
                .orShould().dependOnClassesThat().haveNameMatching("java\\.io\\..*(Stream|Reader|Writer|File)")
                .check(classes);
    }

    @Test
    void theExplorerHasThreadsOnlyInItsWorkersAndOnlySeededRandomness() {
        noClasses().that().resideInAPackage("org.mmsim.explore..")
                .and().haveNameNotMatching("org\\.mmsim\\.explore\\.Workers(\\$.*)?")
                .should().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
                .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .check(classes);
        noClasses().that().haveNameMatching("org\\.mmsim\\.explore\\.Workers(\\$.*)?")
                .should().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .check(classes);
    }

    @Test
    void onlyTheCliPrintsOrExits() {
        noClasses().that().resideOutsideOfPackage("org.mmsim.cli..")
                .should().accessField(System.class, "out")
                .orShould().accessField(System.class, "err")
                .orShould().callMethod(System.class, "exit", int.class)
                .check(classes);
    }

    @Test
    void theModelIsDeterministic() {
        noClasses().that().resideInAnyPackage("org.mmsim.kernel..", "org.mmsim.drivers..", "org.mmsim.scenario..")
                .should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
                .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
                .check(classes);
    }
}
