// Up/down of one address from its run of check results (issue 19): `fall` failures in a row
// take an up address down, `rise` successes in a row bring a down address back. One result
// the other way resets the run, so a flapping address changes state at most once per
// `fall` (or `rise`) probes.
#pragma once

namespace dnsd::health {

struct Hysteresis {
    bool up = true;          // every address starts up (as Route 53 does): the first answers are the full tiers
    unsigned failures = 0;   // in a row, while up
    unsigned successes = 0;  // in a row, while down

    // Records one judged result; true if it changed the state.
    bool record(bool ok, unsigned fall, unsigned rise) {
        if (up) {
            failures = ok ? 0 : failures + 1;
            if (failures < fall) return false;
        } else {
            successes = ok ? successes + 1 : 0;
            if (successes < rise) return false;
        }
        up = !up;
        failures = successes = 0;
        return true;
    }
};

}  // namespace dnsd::health
