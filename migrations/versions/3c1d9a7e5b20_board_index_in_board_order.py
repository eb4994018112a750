"""board index in the board's order: (status, starts_at, id, patient_id, request_id)

Revision ID: 3c1d9a7e5b20
Revises: bcef3f2d7b9b
Create Date: 2026-11-29 10:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c1d9a7e5b20'
down_revision = 'bcef3f2d7b9b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_board')
        batch_op.create_index(
            'ix_visit_board', ['status', 'starts_at', 'id', 'patient_id', 'request_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_board')
        batch_op.create_index(
            'ix_visit_board', ['status', 'starts_at', 'patient_id', 'request_id'], unique=False
        )
