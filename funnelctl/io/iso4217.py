"""ISO 4217 currency codes: what a three-letter word beside an amount may be.

An export writes `USD 485,000.00` or `1500 rub`; it also writes `1.5 MLN`, `3 TYS` (a
million, thousands), which are no currency: a word is read as a currency only when it is
one of these codes (any case). Kept here as a frozen set rather than a dependency: the
list changes a few times a decade.
"""

from __future__ import annotations

# ISO 4217 list one (2025): the active codes of currencies and funds, without the codes
# that are no money a deal is priced in (XAG, XAU, XPD, XPT metals; XBA-XBD bond units;
# XDR, XSU, XUA units of account; XTS testing; XXX no currency).
ACTIVE = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD
EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD
IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL
MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN
PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN
SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES
VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
""".split())

# Withdrawn since 2014 but still in older exports and accounting systems: a deal priced
# in kuna before 2023 is in kuna. RUR is the rouble's code before 1998, still written by
# Russian banks and 1C (read as RUB: io/currency.ALIASES).
WITHDRAWN = frozenset("BYR CUC EEK HRK LTL LVL MRO RUR SLL STD VEF ZWL".split())

CODES = ACTIVE | WITHDRAWN
