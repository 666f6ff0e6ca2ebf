//! Fast streaming xlsx sheet reader (in progress).
