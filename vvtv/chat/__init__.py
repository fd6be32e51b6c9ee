"""Chat (CHT-1..4, MOD-1): one actor per thread over vvtv.domain.chat."""
