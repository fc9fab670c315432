"""Replica sites for the CMS families of spec portals.md §1 (Hanweb, Pingdingshan, Kaifeng, gkmlpt).

Each module builds a route table under a path prefix; `replicas.family_portal` serves them all
from one ReplicaServer on 127.0.0.1 and says which reports a crawler should find.
"""
