package org.mmsim.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of STYLE.md, enforced: kernel and explore (java.base only, and unaware of each other) at the
 * bottom, scenario binding the two, report on top of them, cli on top; only the cli prints or exits; the model has
 * no threads, wall clock or unseeded randomness, and the explorer reads the clock only for its time budget.
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
                .layer("explore").definedBy("org.mmsim.explore..")
                .layer("scenario").definedBy("org.mmsim.scenario..")
                .layer("report").definedBy("org.mmsim.report..")
                .layer("cli").definedBy("org.mmsim.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("report").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("scenario").mayOnlyBeAccessedByLayers("report", "cli")
                .whereLayer("kernel").mayOnlyBeAccessedByLayers("scenario", "report", "cli")
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
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> layers().check(withViolation))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("KernelReachingUp");
    }

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
                        "java.util..")
                .check(classes);
    }

    @Test
    void theExplorerHasNoThreadsAndOnlySeededRandomness() {
        noClasses().that().resideInAPackage("org.mmsim.explore..")
                .should().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
                .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
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
        noClasses().that().resideInAnyPackage("org.mmsim.kernel..", "org.mmsim.scenario..")
                .should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
                .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
                .check(classes);
    }
}
