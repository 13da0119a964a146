package org.mmsim.kernel.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The profile registry and {@link KernelProfile}: complete, immutable, derived by single-switch overrides. */
class ProfilesTest {

    @Test
    void profilesAreListedOldestFirst() {
        assertThat(Profiles.names()).containsExactly("2.6.19", "2.6.23", "2.6.27", "4.8", "4.9", "5.7", "5.8", "5.9", "5.11", "5.19", "6.18");
        assertThat(Profiles.all()).extracting(KernelProfile::name).isEqualTo(Profiles.names());
        assertThat(Profiles.byName("5.9")).isSameAs(Profiles.all().get(7));
        assertThat(Profiles.byName("2.6")).isNull();
    }

    @Test
    void everyProfileHasAValueForEverySwitch() {
        for (KernelProfile p : Profiles.all()) {
            assertThat(p.summary()).as("summary of %s", p).isNotBlank();
            for (Switch s : Switch.values()) {
                assertThat(p.index(s)).as("%s %s", p, s.key()).isBetween(0, s.choices().size() - 1);
                assertThat(s.choices()).as("%s %s", p, s.key()).contains(p.value(s));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // cow_reuse gup_write_retry foll_pin foll_longterm gup_force_cow_break fork_copy_pinned
        // gup_fast_fork_seqcount unshare_ro_pins unshare_longterm_cow mprotect_anon_writable
        // mprotect_mlocked_populate mlock_limit_excludes_locked mremap_multi_vma mremap_dontunmap dontunmap_unlink_anon mremap_expand_merge mlock_onfault mlock_count_once mlockall_onfault_einval mprotect_unaccount anon_vma_merge msync_range mem_soft_dirty
        // clear_refs_skip_pinned longterm_migrate_movable refuse_longterm_file_write longterm_needs_pin
        // driver_fault vm_ops_access generic_access_phys_recheck kvm_mmu_notifier kvm_page_refs kvm_fault_ref ttm_vm_access shmem_direct_io device_coherent odirect_pin
        // madvise_dontneed_read_lock madv_free
        // madv_free_swapless madv_wipeonfork madv_populate map_shared_validate map_fixed_noreplace process_vm memfd_create io_uring
        // io_uring_file_check io_uring_account_pinned ext4_dirty_nobuffers reclaim_skip_pinned ext4_stable_pages pin_tracking pinned_writeback
        // ummunotify_queue dmabuf_map_info cache_aliasing dmabuf_move_notify rdma_dmabuf_mr dmabuf_pin_vram zap_delay_rmap clear_refs_tlb_flush
        "2.6.19 | mapcount drop_foll_write off off off off off off off off off off off off off off off off off off either off off off off off off nopage off off off on on off off off off off off off off off off off off off off off off bug off off refcount ignore unbounded none forbidden off off off off on",
        "2.6.23 | mapcount drop_foll_write off off off off off off off off off off off off off off off off off off either off off off off off off fault off off off on on off off off off on off off off off off off off off off off off bug off off refcount ignore unbounded none forbidden off off off off on",
        "2.6.27 | mapcount drop_foll_write off off off off off off off off off off off off off off off off off off either off off off off off off fault on off on on on off off off off on off off off off off off off off off off off bug off off refcount ignore unbounded none forbidden off off off off on",
        "4.8  | mapcount drop_foll_write off off off off off off off off on off off off off off on off off off singular_target on on off off off off fault on off on off on off off off off on on off off off off off on on off off off bug off off refcount ignore unbounded none forbidden off off off off on",
        "4.9  | mapcount foll_cow off off off off off off off off on on off off off off on on off off singular_target on on off off off off fault on off on off on off off off off on on off off off off off on on off off off bug off off refcount ignore unbounded none forbidden off off off off on",
        "5.7  | mapcount foll_cow on on off off off off off off on on off anon off off on on on off singular_target on on off off off off fault on off on off on on off off off on on on on off on on on on on any_file off bug off off bias ignore unbounded none forbidden off off off off off",
        "5.8  | mapcount foll_cow on on on off off off off off on on off anon off off on on on off singular_target on on off off off off fault on off on off on on off off off on on on on off on on on on on any_file off bug off off bias ignore unbounded none forbidden off off off off off",
        "5.9  | page_count foll_cow on on off on off off off off on on off anon off off on on on off singular_target on on off off off off fault on off on off on on off off off on on on on off on on on on on any_file off bug off off bias ignore unbounded none forbidden off off off off off",
        "5.11 | page_count foll_cow on on off on on off off off on on off anon off off on on on off singular_target on on on off off off fault on off on off on on off off off on on on on off on on on on on any_file on bug off off bias ignore unbounded none forbidden off off off off off",
        "5.19 | anon_exclusive foll_cow on on off on on on off off on on off any on off on on on off singular_target on on on on off off fault on off on off on on off off off on on on on on on on on on on except_shmem on warn off off bias ignore unbounded none forbidden off on off off on",
        "6.18 | anon_exclusive anon_exclusive on on off on on on on on on on on any on on on on on on fork_child on on on on on on fault on on on off on on on on on on on on on on on on on on on off on warn on off bias ignore unbounded none forbidden off on on on on",
    })
    void eachProfileHasItsHistoricalValues(String name, String values) {
        KernelProfile p = Profiles.byName(name.trim());
        String[] expected = values.trim().split("\\s+");
        assertThat(Arrays.stream(Switch.values()).map(p::value)).containsExactly(expected);
    }

    @Test
    void typedAccessorsAgreeWithTheValues() {
        KernelProfile p = Profiles.byName("6.18");
        assertThat(p.cowReuse()).isEqualTo(CowReuse.ANON_EXCLUSIVE);
        assertThat(p.gupWriteRetry()).isEqualTo(GupWriteRetry.ANON_EXCLUSIVE);
        assertThat(p.on(Switch.MPROTECT_ANON_WRITABLE)).isTrue();
        assertThat(Profiles.byName("5.7").on(Switch.FORK_COPY_PINNED)).isFalse();
        assertThat(Profiles.byName("4.9").pinTracking()).isEqualTo(PinTracking.REFCOUNT);
        assertThat(p.pinTracking()).isEqualTo(PinTracking.BIAS);
        assertThat(p.pinnedWriteback()).isEqualTo(PinnedWriteback.IGNORE);
        assertThat(p.with(Switch.PIN_TRACKING, "mapcount-v2").pinTracking()).isEqualTo(PinTracking.MAPCOUNT_V2);
        assertThat(Switch.PIN_TRACKING.choices()).containsExactly("refcount", "bias", "mapcount-v1", "mapcount-v2");
    }

    @Test
    void withOverridesOneSwitchAndRenames() {
        KernelProfile base = Profiles.byName("5.9");

        KernelProfile derived = base.with(Switch.COW_REUSE, "mapcount");

        assertThat(derived.name()).isEqualTo("5.9[cow_reuse=mapcount]");
        assertThat(derived.cowReuse()).isEqualTo(CowReuse.MAPCOUNT);
        for (Switch s : Switch.values()) {
            if (s != Switch.COW_REUSE) {
                assertThat(derived.value(s)).as(s.key()).isEqualTo(base.value(s));
            }
        }
        assertThat(base.cowReuse()).as("the base is unchanged").isEqualTo(CowReuse.PAGE_COUNT);
        assertThat(Profiles.byName("5.9").name()).isEqualTo("5.9");
    }

    @Test
    void withTheValueAlreadySetReturnsTheSameProfile() {
        KernelProfile base = Profiles.byName("6.18");
        assertThat(base.with(Switch.FOLL_PIN, "on")).isSameAs(base);
        assertThat(base.with(Switch.FOLL_PIN, "ON")).as("values are case-insensitive").isSameAs(base);
    }

    @Test
    void unknownValuesAreRejected() {
        KernelProfile base = Profiles.byName("6.18");
        assertThatIllegalArgumentException().isThrownBy(() -> base.with(Switch.COW_REUSE, "refcount"))
                .withMessage("switch cow_reuse takes mapcount|page_count|anon_exclusive, not 'refcount'");
        assertThatIllegalArgumentException().isThrownBy(() -> base.with(Switch.FOLL_PIN, "yes"));
        assertThatIllegalArgumentException().isThrownBy(() -> base.on(Switch.COW_REUSE))
                .withMessageContaining("not a boolean switch");
    }

    @Test
    void switchesAreNamedByTheirKeys() {
        for (Switch s : Switch.values()) {
            assertThat(Switch.byKey(s.key())).isSameAs(s);
            assertThat(s.doc()).isNotBlank();
        }
        assertThat(Switch.byKey("no_such_switch")).isNull();
        assertThat(Switch.GUP_FAST_FORK_SEQCOUNT.key()).isEqualTo("gup_fast_fork_seqcount");
        assertThat(Switch.FOLL_PIN.choices()).containsExactly("off", "on");
    }
}
